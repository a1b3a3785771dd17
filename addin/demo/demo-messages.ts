import type { MailAddress } from '../src/office/index.js';

export interface DemoMessage {
  readonly id: string;
  readonly subject: string;
  readonly from: MailAddress;
  readonly to: readonly MailAddress[];
  readonly cc: readonly MailAddress[];
  readonly received: string;
  readonly body: string;
}

const a = (name: string, email: string): MailAddress => ({ name, email });
const alex = a('Alex Morgan', 'alex.morgan@auroraworks.example');
const priya = a('Priya Natarajan', 'priya.natarajan@auroraworks.example');
const priyaAlias = a('Priya N.', 'priya@auroraworks.example');
const priyaAlias2 = a('P. Natarajan', 'p.natarajan@auroraworks.example');
const sam = a('Sam Okafor', 'sam.okafor@auroraworks.example');
const lena = a('Lena Fischer', 'lena.fischer@auroraworks.example');
const diego = a('Diego Ramos', 'diego.ramos@auroraworks.example');
const mei = a('Mei Chen', 'mei.chen@auroraworks.example');
const jordan = a('Jordan Blake', 'jordan.blake@partner.example');
const chris = a('Chris Ortega', 'chris.ortega@freight-vendor.example');
const events = a('DevConf Registration', 'noreply@devconf-events.example');

export const DEMO_DOCUMENT_URL = 'https://auroraworks.sharepoint.com/sites/finance/Shared%20Documents/Budget%202027.docx';

/** A small, realistic mailbox between demo people: aliases, an external contact and unknown senders included. */
export const DEMO_MESSAGES: readonly DemoMessage[] = [
  {
    id: 'msg-budget-2027',
    subject: 'Budget 2027: please review before Thursday',
    from: alex,
    to: [priya, lena, diego],
    cc: [mei],
    received: 'Mon 09:12',
    body: `Hi all,\n\nThe first draft of the 2027 budget is ready. Please add your comments directly in the document before Thursday's leadership meeting:\n\n${DEMO_DOCUMENT_URL}\n\nPriya, the headcount section needs your numbers. Lena, please sanity-check the revenue outlook.\n\nThanks,\nAlex`,
  },
  {
    id: 'msg-roadmap',
    subject: 'Q3 roadmap review: agenda',
    from: priyaAlias,
    to: [sam, mei],
    cc: [alex],
    received: 'Mon 08:47',
    body: 'Hi Sam, hi Mei,\n\nFor Wednesday: 1) onboarding flow, 2) the presence rollout, 3) tech debt we carry into Q4. Bring one slide each.\n\nPriya',
  },
  {
    id: 'msg-renewal',
    subject: 'Renewal proposal for Partner Co.',
    from: lena,
    to: [jordan],
    cc: [priya],
    received: 'Fri 16:30',
    body: 'Hello Jordan,\n\nAttached is our renewal proposal with the volume tiers we discussed. Happy to walk you through it on a call next week.\n\nBest regards,\nLena',
  },
  {
    id: 'msg-pricing',
    subject: 'Re: Pricing questions',
    from: jordan,
    to: [lena],
    cc: [chris],
    received: 'Fri 14:05',
    body: 'Lena,\n\nThanks, that helps. I copied Chris from our freight vendor who asked about the delivery terms.\n\nJordan',
  },
  {
    id: 'msg-laptops',
    subject: 'Laptop refresh next week',
    from: diego,
    to: [sam, lena, mei],
    cc: [],
    received: 'Thu 11:20',
    body: 'Hi,\n\nYour new laptops arrive Tuesday. Please back up anything local and book a 30-minute slot with IT.\n\nDiego',
  },
  {
    id: 'msg-design-review',
    subject: 'Design review: onboarding flow',
    from: mei,
    to: [sam, priyaAlias2],
    cc: [],
    received: 'Thu 09:58',
    body: 'Hi both,\n\nThe new onboarding screens are in Figma. I would love feedback on the empty states before Friday.\n\nMei',
  },
  {
    id: 'msg-vpn',
    subject: 'VPN drops on the build agents',
    from: sam,
    to: [diego],
    cc: [priya],
    received: 'Wed 17:41',
    body: 'Hi Diego,\n\nThe build agents lose the VPN roughly every 40 minutes since the firewall update. Logs are on the usual share.\n\nSam',
  },
  {
    id: 'msg-conference',
    subject: 'Your DevConf 2027 registration',
    from: events,
    to: [sam],
    cc: [],
    received: 'Tue 07:02',
    body: 'Thank you for registering for DevConf 2027. Your badge will be available at the front desk.',
  },
];
