import type { Availability as WireAvailability } from '../../../api/presence/presence-api.js';
import type { EndpointActivity, ManualAvailability, MyPresenceDto, PresenceDto as WirePresenceDto } from '../../../api/contract/presence.js';

/** The wire shape of a presence (api/contract/presence.ts): types only, nothing of the server is bundled. */
export type PresenceDto = WirePresenceDto;
export type Availability = WireAvailability;
export type { EndpointActivity, ManualAvailability, MyPresenceDto };
