import {
  entityValues,
  normalizeOk,
  normalizeRejected,
} from '../../test/normalization/expect-result';

// The JsonConverterHandler's shape (logdata-anomaly-miner), with a detector of the AIT-ADS config.
const anomaly = (component: object = {}, logData: object = {}) => ({
  AnalysisComponent: {
    AnalysisComponentIdentifier: 4,
    AnalysisComponentType: 'NewMatchPathValueComboDetector',
    AnalysisComponentName: 'AMiner: New login parameter combination in Audit logs.',
    Message: 'New value combination(s) detected',
    AffectedLogAtomPaths: ['/model/type/login/uid', '/model/client_ip', '/model/server_ip'],
    AffectedLogAtomValues: ['1000', '192.168.10.190', '10.0.0.5'],
    ...component,
  },
  LogData: {
    RawLogData: ['type=LOGIN msg=audit(1642723347.230:1): pid=1 uid=1000'],
    Timestamps: [1642723347.23],
    DetectionTimestamp: 1642723350,
    LogLinesCount: 1,
    ...logData,
  },
});

describe('AMiner normalizer', () => {
  it('is detected and takes the log line time, in milliseconds', () => {
    const alert = normalizeOk(anomaly());
    expect([alert.format, alert.observedAt, alert.observedAtFromArrival]).toEqual([
      'aminer',
      1642723347230,
      false,
    ]);
  });

  it('names the detector as the rule and titles the alert with its message', () => {
    const alert = normalizeOk(anomaly());
    expect([alert.ruleId, alert.category, alert.title]).toEqual([
      'AMiner: New login parameter combination in Audit logs.',
      'NewMatchPathValueComboDetector',
      'AMiner: New login parameter combination in Audit logs: New value combination(s) detected',
    ]);
    expect(alert.description).toContain('type=LOGIN');
  });

  it('falls back to the detector type and number when the detector has no name', () => {
    const alert = normalizeOk(anomaly({ AnalysisComponentName: undefined }));
    expect(alert.ruleId).toBe('NewMatchPathValueComboDetector#4');
  });

  it('takes addresses from the affected paths, source unless named a server', () => {
    expect(entityValues(normalizeOk(anomaly()), 'ip')).toEqual([
      'source:192.168.10.190',
      'destination:10.0.0.5',
    ]);
  });

  it('uses the detection time when the log line has none, and rejects a record with neither', () => {
    expect(normalizeOk(anomaly({}, { Timestamps: [] })).observedAt).toBe(1642723350000);
    expect(
      normalizeRejected(anomaly({}, { Timestamps: undefined, DetectionTimestamp: undefined })),
    ).toEqual({
      format: 'aminer',
      field: 'LogData.Timestamps',
      reason: 'missing: every alert needs an event time',
    });
  });

  it('rejects a record without log data when the format is named', () => {
    expect(normalizeRejected({ AnalysisComponent: {} }, 'aminer').field).toBe('LogData');
  });
});
