import {
  entityValues,
  normalizeOk,
  normalizeRejected,
} from '../../test/normalization/expect-result';

// Evidence properties from the Graph reference pages of each evidence type (userEvidence,
// ipEvidence, urlEvidence, mailboxEvidence, analyzedMessageEvidence).
const alert = {
  '@odata.type': '#microsoft.graph.security.alert',
  id: 'da637551227677560813_-961444813',
  providerAlertId: 'da637551227677560813_-961444813',
  severity: 'medium',
  serviceSource: 'microsoftDefenderForOffice365',
  detectionSource: 'microsoftDefenderForOffice365',
  title: 'Email messages containing malicious URL removed after delivery',
  category: 'InitialAccess',
  mitreTechniques: ['T1566.002', 'not-a-technique'],
  createdDateTime: '2021-04-27T12:19:27.7211305Z',
  firstActivityDateTime: '2021-04-26T07:45:50.116Z',
};

describe('Microsoft Graph alert normalizer', () => {
  it('collects user, ip, url, mailbox and message evidence', () => {
    const normalized = normalizeOk({
      ...alert,
      evidence: [
        {
          '@odata.type': '#microsoft.graph.security.userEvidence',
          userAccount: {
            accountName: 'Alice',
            domainName: 'CONTOSO',
            userPrincipalName: 'alice@contoso.com',
          },
        },
        {
          '@odata.type': '#microsoft.graph.security.userEvidence',
          userAccount: { userPrincipalName: 'Bob@Contoso.com' },
        },
        {
          '@odata.type': '#microsoft.graph.security.ipEvidence',
          ipAddress: '203.0.113.4',
          roles: ['Attacker'],
        },
        {
          '@odata.type': '#microsoft.graph.security.ipEvidence',
          ipAddress: '10.0.0.4',
          roles: ['compromised'],
        },
        {
          '@odata.type': '#microsoft.graph.security.urlEvidence',
          url: 'HTTPS://Phish.Example/login',
        },
        {
          '@odata.type': '#microsoft.graph.security.mailboxEvidence',
          primaryAddress: 'Alice@Contoso.com',
          userAccount: { accountName: 'alice', domainName: 'contoso' },
        },
        {
          '@odata.type': '#microsoft.graph.security.analyzedMessageEvidence',
          senderIp: '198.51.100.7',
          recipientEmailAddress: 'carol@contoso.com',
        },
      ],
    });
    expect(entityValues(normalized, 'user')).toEqual(['contoso\\alice', 'bob@contoso.com']);
    expect(entityValues(normalized, 'ip')).toEqual([
      'source:203.0.113.4',
      'destination:10.0.0.4',
      'source:198.51.100.7',
    ]);
    expect(entityValues(normalized, 'url')).toEqual(['https://phish.example/login']);
    expect(entityValues(normalized, 'email')).toEqual(['alice@contoso.com', 'carol@contoso.com']);
    expect(normalized.techniques).toEqual(['T1566.002']);
    expect(normalized.tactics).toEqual(['Initial Access']);
    expect(normalized.severity).toBe(50);
  });

  it('takes firstActivityDateTime when createdDateTime is absent', () => {
    const { createdDateTime: _dropped, ...rest } = alert;
    expect(normalizeOk({ ...rest, evidence: [] }).observedAt).toBe(
      Date.UTC(2021, 3, 26, 7, 45, 50, 116),
    );
  });

  it('rejects an unknown severity', () => {
    expect(normalizeRejected({ ...alert, severity: 'sev2' })).toEqual({
      format: 'ms-graph',
      field: 'severity',
      reason: "unknown severity 'sev2'",
    });
  });
});
