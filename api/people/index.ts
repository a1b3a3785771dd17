export { createPeopleFeature } from './people-routes.js';
