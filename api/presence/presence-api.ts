/**
 * The presence engine as other features see it. Chat asks it about blocks, DND and live endpoints;
 * Graph feeds it out-of-office, calendar and Teams state.
 */
export const AVAILABILITIES = ['Available', 'AvailableIdle', 'Busy', 'BusyIdle', 'DoNotDisturb', 'BeRightBack', 'Away', 'Offline', 'PresenceUnknown'] as const;
export type Availability = (typeof AVAILABILITIES)[number];

export const ACTIVITIES = [
  'Available',
  'Away',
  'BeRightBack',
  'Busy',
  'DoNotDisturb',
  'InACall',
  'InAMeeting',
  'Presenting',
  'OutOfOffice',
  'OffWork',
  'Inactive',
  'Offline',
  'PresenceUnknown',
] as const;
export type Activity = (typeof ACTIVITIES)[number];

export interface OutOfOffice {
  readonly active: boolean;
  readonly message: string | null;
}

/** Presence as one viewer may see it (blocked viewers and external viewers see less). */
export interface PresenceView {
  readonly availability: Availability;
  readonly activity: Activity;
  readonly note: string | null;
  readonly outOfOffice: OutOfOffice;
  readonly lastActive: number | null;
  readonly version: number;
}

export interface CalendarEvent {
  readonly start: number;
  readonly end: number;
  readonly showAs: 'busy' | 'tentative' | 'oof' | 'workingElsewhere' | 'free';
  /** A meeting has other attendees; a plain busy block does not. */
  readonly isMeeting: boolean;
}

export interface PresenceReader {
  presenceOf(personId: string, viewerId: string | null): Promise<PresenceView>;
  /** True when `ownerId` has blocked `otherId`. */
  isBlocked(ownerId: string, otherId: string): Promise<boolean>;
  /** True when the person has at least one live endpoint on any process. */
  hasLiveEndpoint(personId: string): Promise<boolean>;
}

export interface PresenceInputs {
  setOutOfOffice(personId: string, oof: { active: boolean; message: string | null; source: string }): Promise<void>;
  /** Replaces the calendar of a person as one source knows it (intervals around now). */
  setCalendar(personId: string, source: string, events: readonly CalendarEvent[]): Promise<void>;
  /** An endpoint the product does not own (e.g. Teams): its state, or null to remove it. */
  /** An endpoint outside the panes (Teams); with a ttl it expires unless set again within it. */
  setExternalEndpoint(personId: string, source: string, state: { availability: Availability; activity: Activity } | null, ttlMs?: number): Promise<void>;
}

export interface PresenceService extends PresenceReader, PresenceInputs {
  /** Called when presence of someone changes (version bumped); used by chat for DND and by tests. */
  onChange(listener: (personId: string) => void): () => void;
}
