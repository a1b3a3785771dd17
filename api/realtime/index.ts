export { RealtimeGateway, DEFAULT_GATEWAY_LIMITS, type GatewayLimits } from './gateway.js';
export { Connection, CloseCode, MAX_BUFFERED_BYTES, prepareFrame, type PreparedFrame } from './connection.js';
export { MemoryTicketStore, RedisTicketStore, TICKET_TTL_MS, type TicketStore } from './ticket-store.js';
