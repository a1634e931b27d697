import type { IncidentEvent } from '@soc/contracts';
import { evolveIncidentView, type IncidentView } from '@soc/domain';
import { notificationFor, type IncidentNotification } from './notification';

/**
 * The open incidents of one partition, folded from its incident events with the read model's
 * own evolve, so a notification carries the same title, priority and entities the dashboard
 * shows. The fold is rebuilt from offset 0 after every assignment (see ActionsConsumer).
 */
export class IncidentTracker {
  private readonly views = new Map<string, IncidentView>();

  /** Applies one event; the notification it gives, or null (duplicate, or nothing to tell). */
  apply(event: IncidentEvent): IncidentNotification | null {
    const incidentId = event.data.incidentId;
    if (incidentId === null) return null;
    const before = this.views.get(incidentId);
    const change = evolveIncidentView(before, event, {
      lookup: (id) => this.views.get(id),
    });
    if (!change.applied || !change.view) return null;
    const after = change.view;
    this.views.set(incidentId, after);
    const notification = notificationFor({ event, before, after });
    // A closed incident takes no more events; an absorbed one stays until its survivor has
    // taken over its alerts and entities (IncidentsMerged looks it up).
    if (event.type === 'IncidentClosed' && event.data.reason !== 'merged') {
      this.views.delete(incidentId);
    }
    return notification;
  }

  get size(): number {
    return this.views.size;
  }
}
