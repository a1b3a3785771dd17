/* The only code in the panes that touches Office.js. Everything else sees the OfficeHost interface. */
export type { DocumentHost, DocumentPosition, HostTheme, HostUser, MailAddress, MailHost, MailItemPeople, OfficeHost } from './office-host.js';
export type { DemoBridge } from './demo-bridge.js';
export { connectHost } from './connect-host.js';
export { demoOfficeHost } from './demo-office-host.js';
export { standaloneHost } from './standalone-host.js';
