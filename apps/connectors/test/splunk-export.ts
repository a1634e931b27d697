// Test support: Splunk's search export endpoint as Splunk documents it, over a spec's rows.
import type { ServerResponse } from 'node:http';
import type { ReceivedRequest } from './vendor-server';

export const SPLUNK_EXPORT_PATH = '/services/search/jobs/export';

/**
 * With `output_mode=json`, one `{"preview":false,"offset":n,"result":{...}}` object a line: the
 * rows whose `_time` is in `[earliest_time, latest_time)` of the request's form.
 */
export function answerSplunkExport(
  rows: readonly { readonly _time: string }[],
  request: ReceivedRequest,
  response: ServerResponse,
): void {
  const form = new URLSearchParams(request.body);
  const from = Number(form.get('earliest_time')) * 1000;
  const to = Number(form.get('latest_time')) * 1000;
  const inWindow = rows.filter(
    (row) => Date.parse(row._time) >= from && Date.parse(row._time) < to,
  );
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(
    inWindow.map((result, offset) => JSON.stringify({ preview: false, offset, result })).join('\n'),
  );
}
