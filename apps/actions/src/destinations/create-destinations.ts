import type { Routing, Secrets } from '../routing/routing';
import type { DestinationSpec } from '../routing/routing-schema';
import type { Destination } from './destination';
import { EmailDestination } from './email';
import { SlackDestination } from './slack';
import { TheHiveDestination } from './thehive';
import { WebhookDestination } from './webhook';

function createDestination(name: string, spec: DestinationSpec, secrets: Secrets): Destination {
  switch (spec.type) {
    case 'webhook':
      return new WebhookDestination(name, spec, secrets(spec.secret));
    case 'slack':
      return new SlackDestination(name, spec, secrets(spec.url));
    case 'thehive':
      return new TheHiveDestination(name, spec, secrets(spec.apiKey));
    case 'email':
      return new EmailDestination(name, spec, secrets);
    default: {
      const unreachable: never = spec;
      return unreachable;
    }
  }
}

export function createDestinations(
  routing: Routing,
  secrets: Secrets,
): ReadonlyMap<string, Destination> {
  return new Map(
    [...routing.destinations].map(([name, spec]) => [name, createDestination(name, spec, secrets)]),
  );
}
