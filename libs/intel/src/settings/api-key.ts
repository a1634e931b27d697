import { inspect } from 'node:util';

/**
 * A provider API key. It prints as its reference (`env:ACME_VT_KEY`), never as the secret:
 * logging, JSON and util.inspect all see the redacted form, so a key cannot reach a log line
 * or an event by accident. Only `reveal()` gives the secret, at the HTTP header.
 */
export class ApiKey {
  readonly #secret: string;

  constructor(
    secret: string,
    readonly reference: string,
  ) {
    this.#secret = secret;
  }

  reveal(): string {
    return this.#secret;
  }

  toString(): string {
    return `[api key ${this.reference}]`;
  }

  toJSON(): string {
    return this.toString();
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
