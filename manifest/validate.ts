import { DOMParser, type Element } from '@xmldom/xmldom';

/**
 * Structural checks of an Office add-in XML manifest that need no network (the official
 * validator posts the file to a Microsoft service). Orders come from the manifest XSDs.
 */
const OFFICE_APP_BASE = [
  'Id',
  'AlternateId',
  'Version',
  'ProviderName',
  'DefaultLocale',
  'DisplayName',
  'Description',
  'IconUrl',
  'HighResolutionIconUrl',
  'SupportUrl',
  'AppDomains',
  'Hosts',
];
const ROOT_ORDER: Record<string, string[]> = {
  MailApp: [...OFFICE_APP_BASE, 'Requirements', 'FormSettings', 'Permissions', 'Rule', 'DisableEntityHighlighting', 'VersionOverrides'],
  TaskPaneApp: [...OFFICE_APP_BASE, 'Requirements', 'DefaultSettings', 'Permissions', 'Dictionary', 'VersionOverrides'],
};
const REQUIRED_ROOT: Record<string, string[]> = {
  MailApp: ['Id', 'Version', 'ProviderName', 'DefaultLocale', 'DisplayName', 'Description', 'Requirements', 'FormSettings', 'Rule'],
  TaskPaneApp: ['Id', 'Version', 'ProviderName', 'DefaultLocale', 'DisplayName', 'Description', 'DefaultSettings', 'Permissions'],
};
/** Child orders inside VersionOverrides, by element name. */
const ORDERS: Record<string, string[]> = {
  VersionOverrides: ['Description', 'Requirements', 'Hosts', 'Resources', 'VersionOverrides', 'WebApplicationInfo', 'ExtendedPermissions'],
  DesktopFormFactor: ['GetStarted', 'FunctionFile', 'ExtensionPoint'],
  GetStarted: ['Title', 'Description', 'LearnMoreUrl'],
  Group: ['Label', 'Icon', 'Control'],
  Control: ['Label', 'Supertip', 'Icon', 'Action'],
  Supertip: ['Title', 'Description'],
  Resources: ['bt:Images', 'bt:Urls', 'bt:ShortStrings', 'bt:LongStrings'],
};
const ACTION_ORDER: Record<string, string[]> = {
  mail: ['SourceLocation', 'SupportsPinning'],
  taskpane: ['TaskpaneId', 'SourceLocation', 'Title'],
};

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const VERSION = /^\d{1,5}\.\d{1,5}\.\d{1,5}\.\d{1,5}$/;

const children = (e: Element): Element[] => {
  const out: Element[] = [];
  for (let n = e.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as Element);
  return out;
};
const walk = (e: Element, fn: (e: Element) => void) => {
  fn(e);
  for (const c of children(e)) walk(c, fn);
};
const pathOf = (e: Element): string => {
  const parts: string[] = [];
  for (let n: Element | null = e; n && n.nodeType === 1; n = n.parentNode as Element | null) parts.unshift(n.tagName);
  return parts.join('/');
};

function checkOrder(parent: Element, order: string[], problems: string[]): void {
  let last = -1;
  for (const c of children(parent)) {
    const i = order.indexOf(c.tagName);
    if (i === -1) problems.push(`${pathOf(c)}: not a valid child of ${parent.tagName}`);
    else if (i < last) problems.push(`${pathOf(c)}: out of order (expected order: ${order.join(', ')})`);
    else last = i;
  }
}

export function validateManifest(xml: string): string[] {
  const problems: string[] = [];
  const errors: string[] = [];
  let doc;
  try {
    doc = new DOMParser({ onError: (level, msg) => level !== 'warning' && errors.push(String(msg)) }).parseFromString(xml, 'text/xml');
  } catch (err) {
    errors.push((err as Error).message);
  }
  if (errors.length || !doc?.documentElement) return [`not well-formed XML: ${errors[0] ?? 'no root element'}`];
  const root = doc.documentElement;
  const type = root.getAttribute('xsi:type') ?? '';
  if (root.tagName !== 'OfficeApp' || root.getAttribute('xmlns') !== 'http://schemas.microsoft.com/office/appforoffice/1.1')
    problems.push('root must be OfficeApp in the appforoffice/1.1 namespace');
  if (!ROOT_ORDER[type]) return [...problems, `unsupported OfficeApp xsi:type "${type}"`];
  checkOrder(root, ROOT_ORDER[type], problems);
  const names = children(root).map((c) => c.tagName);
  for (const r of REQUIRED_ROOT[type]) if (!names.includes(r)) problems.push(`OfficeApp: missing required ${r}`);

  const text = (name: string) =>
    children(root)
      .find((c) => c.tagName === name)
      ?.textContent?.trim() ?? '';
  if (!GUID.test(text('Id'))) problems.push(`Id "${text('Id')}" is not a GUID`);
  if (!VERSION.test(text('Version'))) problems.push(`Version "${text('Version')}" is not n.n.n.n`);

  const defined = new Set<string>();
  const referenced: { resid: string; where: string }[] = [];
  const urls: { url: string; where: string }[] = [];
  const kind = type === 'MailApp' ? 'mail' : 'taskpane';
  walk(root, (e) => {
    const tag = e.tagName;
    if (ORDERS[tag] && pathOf(e).includes('VersionOverrides')) checkOrder(e, ORDERS[tag], problems);
    if (tag === 'Action' && e.getAttribute('xsi:type') === 'ShowTaskpane') checkOrder(e, ACTION_ORDER[kind], problems);
    if (tag === 'SupportsPinning' && !pathOf(e).includes('VersionOverrides/VersionOverrides'))
      problems.push(`${pathOf(e)}: SupportsPinning is only valid inside VersionOverridesV1_1`);
    const id = e.getAttribute('id');
    if (id && /^bt:(Image|Url|String)$/.test(tag)) {
      if (defined.has(id)) problems.push(`resource id "${id}" is defined twice`);
      defined.add(id);
      if (id.length > 32) problems.push(`resource id "${id}" is longer than 32 characters`);
    }
    const resid = e.getAttribute('resid');
    if (resid) {
      referenced.push({ resid, where: pathOf(e) });
      if (resid.length > 32) problems.push(`${pathOf(e)}: resid "${resid}" is longer than 32 characters`);
    }
    const dv = e.getAttribute('DefaultValue');
    if (dv && /^[a-z]+:\/\//i.test(dv)) urls.push({ url: dv, where: pathOf(e) });
    if (tag === 'AppDomain') urls.push({ url: e.textContent?.trim() ?? '', where: pathOf(e) });
  });
  for (const r of referenced) if (!defined.has(r.resid)) problems.push(`${r.where}: resid "${r.resid}" is not defined in Resources`);

  const origins = new Set<string>();
  for (const { url, where } of urls) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      problems.push(`${where}: "${url}" is not a URL`);
      continue;
    }
    if (parsed.protocol !== 'https:') problems.push(`${where}: "${url}" must use HTTPS`);
    origins.add(parsed.origin);
  }
  if (origins.size > 1) problems.push(`URLs span several origins (${[...origins].join(', ')}); the panes, icons and AppDomain must share one`);
  return problems;
}
