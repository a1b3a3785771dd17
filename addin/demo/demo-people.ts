/** The demo directory's people the demo host offers to sign in as (all in directory-sync/demo). */
export interface DemoPerson {
  readonly email: string;
  readonly name: string;
  readonly title: string;
}

export const DEMO_PEOPLE: readonly DemoPerson[] = [
  { email: 'sam.okafor@auroraworks.example', name: 'Sam Okafor', title: 'Software Engineer' },
  { email: 'priya.natarajan@auroraworks.example', name: 'Priya Natarajan', title: 'VP Engineering' },
  { email: 'alex.morgan@auroraworks.example', name: 'Alex Morgan', title: 'Chief Executive Officer' },
  { email: 'lena.fischer@auroraworks.example', name: 'Lena Fischer', title: 'Sales Manager' },
  { email: 'diego.ramos@auroraworks.example', name: 'Diego Ramos', title: 'IT Administrator' },
  { email: 'mei.chen@auroraworks.example', name: 'Mei Chen', title: 'Product Designer' },
];

export const DEFAULT_PERSON = DEMO_PEOPLE[0];
