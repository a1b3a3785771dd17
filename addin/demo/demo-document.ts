/** The demo Word document: a budget with headings and ~30 paragraphs. */
export interface DemoParagraph {
  readonly style: 'Title' | 'Heading1' | 'Normal';
  readonly text: string;
}

const H = (text: string): DemoParagraph => ({ style: 'Heading1', text });
const P = (text: string): DemoParagraph => ({ style: 'Normal', text });

export const DEMO_DOCUMENT_TITLE = 'Budget 2027.docx';

export const DEMO_PARAGRAPHS: readonly DemoParagraph[] = [
  { style: 'Title', text: 'Budget 2027' },
  P('Draft for the leadership meeting. Owners: Alex Morgan (overall), Priya Natarajan (engineering), Lena Fischer (sales).'),
  H('Summary'),
  P('We plan revenue of 48.2 million, up 14 percent on 2026, with operating costs growing 9 percent.'),
  P('The plan keeps the operating margin above 18 percent while funding the presence and messaging product line.'),
  P('Two scenarios are attached: the base case below and a conservative case with 8 percent growth.'),
  H('Revenue outlook'),
  P('Subscription revenue grows from 31.5 to 36.9 million, driven by renewals of the three largest accounts.'),
  P('Services revenue stays flat at 7.4 million; we deliberately shift effort to self-service onboarding.'),
  P('Partner revenue (Partner Co. and two resellers) is budgeted at 3.9 million, conditional on the renewal.'),
  P('Churn is assumed at 6 percent, in line with the trailing twelve months.'),
  H('Headcount'),
  P('Engineering grows from 64 to 76 people: eight in product engineering, three in platform, one in security.'),
  P('Sales adds four account executives in the second quarter, two of them in the DACH region.'),
  P('IT adds one administrator to support the laptop refresh and the identity migration.'),
  P('Hiring is phased: 40 percent of new roles in the first half, the rest after the mid-year review.'),
  H('Capital expenditure'),
  P('Laptop refresh for 120 people: 216,000, spread over three months.'),
  P('Build infrastructure: two additional build agents and network upgrades for 85,000.'),
  P('Office fit-out in Berlin: 140,000, shared with the landlord under the new lease.'),
  H('Operating expenses'),
  P('Cloud hosting grows 11 percent with usage; reserved capacity saves an estimated 9 percent.'),
  P('Travel is budgeted 5 percent below 2026; customer visits take priority over internal meetings.'),
  P('Training budget stays at 1,200 per person, plus conference tickets for speakers.'),
  H('Risks'),
  P('The Partner Co. renewal is not yet signed; without it partner revenue falls by 2.1 million.'),
  P('Hiring delays in engineering would push two product launches into 2028.'),
  P('Currency: 30 percent of costs are in euros; a 5 percent swing moves the margin by 0.8 points.'),
  H('Next steps'),
  P('Comments in this document by Thursday; the final version goes to the board on the 14th.'),
  P('Department owners confirm their headcount lines; finance updates the model by Friday.'),
];

/** Index of the nearest heading at or above a paragraph, for "where is everyone". */
export function headingAbove(index: number): string | null {
  for (let i = Math.min(index, DEMO_PARAGRAPHS.length - 1); i >= 0; i--) {
    const p = DEMO_PARAGRAPHS[i];
    if (p.style !== 'Normal') return p.text;
  }
  return null;
}
