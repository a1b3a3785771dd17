// SCAFFOLD: presence — the wire shape of a presence (DESIGN.md); the presence helper moves it to api/contract.
export type Availability =
  | 'Available'
  | 'AvailableIdle'
  | 'Busy'
  | 'BusyIdle'
  | 'DoNotDisturb'
  | 'BeRightBack'
  | 'Away'
  | 'Offline'
  | 'PresenceUnknown';

export interface PresenceDto {
  readonly availability: Availability;
  readonly activity: string;
  readonly note: string | null;
  readonly outOfOffice: { readonly active: boolean; readonly message: string | null };
  readonly lastActive: string | null;
  readonly version: number;
}
