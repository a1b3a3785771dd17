export { PersonRow, type PersonRowProps } from './person-row.js';
export { PersonCardButton, type PersonCardButtonProps } from './person-card-button.js';
export { ContactCard, type ContactCardProps } from './contact-card.js';
export { ContactCardProvider } from './contact-card-provider.js';
export { useContactCard, type ContactCardOpener, type ContactCardTarget } from './contact-card-context.js';
export { usePeopleLookup } from './use-people-lookup.js';
export { usePersonPhoto } from './use-person-photo.js';
export { resolveAddresses, type Resolution } from './lookup-cache.js';
