import { decodeDatagram, SyslogFrameDecoder } from './syslog-framing';

const cef = 'CEF:0|Vendor|Product|1.0|100|Port scan|5|src=10.0.0.1';

describe('SyslogFrameDecoder', () => {
  it('splits newline-terminated messages and keeps a partial one for the next chunk', () => {
    const decoder = new SyslogFrameDecoder();
    expect(decoder.push(Buffer.from(`${cef}\r\n${cef.slice(0, 10)}`)).messages).toEqual([cef]);
    expect(decoder.push(Buffer.from(`${cef.slice(10)}\n`)).messages).toEqual([cef]);
  });

  it('reads octet-counted frames, even when they contain newlines or arrive in pieces', () => {
    const decoder = new SyslogFrameDecoder();
    const message = `${cef} msg=line one\nline two`;
    const frame = Buffer.from(`${Buffer.byteLength(message)} ${message}`);
    expect(decoder.push(frame.subarray(0, 20)).messages).toEqual([]);
    expect(decoder.push(Buffer.concat([frame.subarray(20), frame])).messages).toEqual([
      message,
      message,
    ]);
  });

  it('reports an oversized frame instead of buffering it', () => {
    const decoder = new SyslogFrameDecoder(16);
    const result = decoder.push(Buffer.from('x'.repeat(40)));
    expect(result).toEqual({ messages: [], oversized: 1 });
    expect(decoder.push(Buffer.from(`yyy\n${'short'}\n`)).messages).toEqual(['short']);
  });

  it('hands back the last unterminated message when the connection ends', () => {
    const decoder = new SyslogFrameDecoder();
    decoder.push(Buffer.from(cef));
    expect(decoder.end()).toEqual([cef]);
  });
});

describe('decodeDatagram', () => {
  it('reads a datagram without a trailing newline as one message', () => {
    expect(decodeDatagram(Buffer.from(cef))).toEqual([cef]);
  });

  it('reads every line of a datagram that packs several', () => {
    expect(decodeDatagram(Buffer.from(`${cef}\n${cef}\n`))).toEqual([cef, cef]);
  });
});
