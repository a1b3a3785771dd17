export { RealtimeGateway, DEFAULT_GATEWAY_LIMITS, type GatewayLimits } from './gateway.js';
export { Connection } from './connection.js';
export { CloseCode, MAX_BUFFERED_BYTES } from './close-codes.js';
export { prepareFrame, PreparedFrame } from './prepared-frame.js';
export type { SocketHost, SocketHostLimits, SocketPort, SocketEvents } from './socket-host.js';
export { InlineSocketHost } from './inline-socket-host.js';
export { ProcessSocketHost } from './process-socket-host.js';
export { MemoryTicketStore, RedisTicketStore, TICKET_TTL_MS, type TicketStore } from './ticket-store.js';
