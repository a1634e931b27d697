import {
  entityValues,
  INGESTED_AT,
  normalizeOk,
  normalizeRejected,
} from '../../test/normalization/expect-result';

// The envelopes as Splunk documents them ("Use a webhook alert action", "Format events for
// HTTP Event Collector"), carrying a notable row shaped like demisto/content's SplunkPy test
// data (Packs/SplunkPy/Integrations/SplunkPy/test_data/test_notable_event.json).
const notable = {
  _time: '2024-06-05T09:15:24.000+00:00',
  event_id: '5E6DE97D@@notable@@e4f07602f507975e9f7ba47c4ae0c417',
  search_name: 'Identity - Root sucess - Rule',
  rule_name: 'Root sucess',
  rule_title: 'Root used on $dest$ by $user$',
  security_domain: 'identity',
  urgency: 'high',
  severity: 'informational',
  user: 'root',
  dest: '10.0.0.5',
};

describe('Splunk normalizer', () => {
  it('reads a notable from a webhook payload, filling the title tokens from the row', () => {
    const alert = normalizeOk({
      result: notable,
      sid: 'scheduler_admin_search_W2_at_14232356_132',
      results_link:
        'http://web.example.local:8000/app/search/@go?sid=scheduler_admin_search_W2_at_14232356_132',
      search_name: 'Identity - Root sucess - Rule',
      owner: 'admin',
      app: 'search',
    });
    expect(alert.title).toBe('Root used on 10.0.0.5 by root');
    expect([alert.alertId, alert.ruleId, alert.ruleName, alert.category]).toEqual([
      notable.event_id,
      notable.search_name,
      'Root sucess',
      'identity',
    ]);
    expect([alert.severity, alert.severityLabel]).toEqual([75, 'high']);
    expect(entityValues(alert, 'ip')).toEqual(['destination:10.0.0.5']);
  });

  it('falls back to the webhook sid as the alert id when the row has no event_id', () => {
    const { event_id: _dropped, ...row } = notable;
    expect(normalizeOk({ result: row, sid: 'sid-1', search_name: 'x' }).alertId).toBe('sid-1');
  });

  it('reads a notable from an HEC envelope, taking the envelope time when the row has none', () => {
    const { _time: _dropped, ...row } = notable;
    const alert = normalizeOk({
      time: 1426279439,
      host: 'localhost',
      source: 'es',
      sourcetype: 'stash',
      index: 'notable',
      event: row,
    });
    expect(alert.observedAt).toBe(1426279439000);
  });

  it('reads an HEC event given as JSON text', () => {
    const alert = normalizeOk({
      time: 1426279439,
      sourcetype: '_json',
      event: JSON.stringify(notable),
    });
    expect(alert.alertId).toBe(notable.event_id);
  });

  it('reads CIM fields behind a data-model prefix', () => {
    const alert = normalizeOk({
      ...notable,
      dest: undefined,
      'IDS_Attacks.src': '10.199.46.44',
      'Authentication.dest': 'dc-01',
    });
    expect(entityValues(alert, 'ip')).toEqual(['source:10.199.46.44']);
    expect(entityValues(alert, 'host')).toEqual(['dc-01']);
  });

  it('falls back from urgency to severity, and rejects a label it does not know', () => {
    const { urgency: _dropped, ...row } = notable;
    expect(normalizeOk(row).severity).toBe(10);
    expect(normalizeRejected({ result: { ...notable, urgency: 'meh' }, sid: 's' }).field).toBe(
      'result.urgency',
    );
  });

  it('gives a webhook payload whose row carries no time the arrival time, flagged', () => {
    const alert = normalizeOk({ result: { count: '8' }, sid: 's', search_name: null });
    expect([alert.observedAt, alert.observedAtFromArrival]).toEqual([INGESTED_AT, true]);
  });

  it('still rejects a time that is present but unreadable', () => {
    expect(normalizeRejected({ result: { _time: 'soon' }, sid: 's' }).field).toBe('result._time');
  });
});
