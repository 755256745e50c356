// The liaison's console: plain browser JavaScript, served as it is. It holds no token (the
// session is an HttpOnly cookie), builds every element with the DOM (no HTML from data), and
// draws its charts and maps as SVG itself: nothing is loaded from anywhere but the gateway.
'use strict';

const app = document.getElementById('app');
const nav = document.getElementById('nav');
const who = document.getElementById('who');

const state = { user: undefined, overview: undefined, view: 'departments', department: undefined, dataset: undefined, tab: 'preview' };

// ------------------------------------------------------------------ helpers

/** An element with attributes (`on…` become listeners, `class` the class) and children (strings become text). */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false || value === null) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== undefined) element.setAttribute(name, String(value));
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

class ApiError extends Error {
  constructor(message, status, source) {
    super(message);
    this.status = status;
    this.source = source;
  }
}

async function api(path, options = {}) {
  const response = await fetch(new URL(`console/api/${path}`, document.baseURI), {
    credentials: 'same-origin',
    ...options,
    headers: { accept: 'application/json', ...(options.body ? { 'content-type': 'application/json' } : {}) },
  });
  if (response.status === 204) return null;
  const body = (response.headers.get('content-type') ?? '').includes('json') ? await response.json() : { error: { message: await response.text() } };
  if (!response.ok) throw new ApiError(body?.error?.message ?? response.statusText, response.status, body?.error?.source);
  return body;
}

const post = (path, body) => api(path, { method: 'POST', body: JSON.stringify(body) });
const number = (value) => (typeof value === 'number' ? value.toLocaleString('en-US') : '–');
const percent = (share) => (share === null || share === undefined ? '–' : `${(share * 100).toFixed(share < 0.001 && share > 0 ? 2 : 1)} %`);
const shown = (value) => (value === null || value === undefined ? '' : String(value));

function badge(text, kind) {
  return h('span', { class: `badge ${kind}` }, text);
}

function errorBox(error, what) {
  return h(
    'div',
    { class: 'error', role: 'alert' },
    h('strong', {}, what ? `${what}: ` : 'Error: '),
    error.message,
    error.source ? h('div', { class: 'muted small' }, `source: ${error.source}`) : null,
  );
}

/** Replaces the element's children (nested lists flattened, absent ones left out). */
function fill(element, ...children) {
  element.replaceChildren();
  return append(element, children);
}

function screen(...children) {
  fill(app, children);
}

function loading(text) {
  return h('p', { class: 'loading' }, text);
}

// ------------------------------------------------------------------ signing in

function signIn(message) {
  nav.hidden = true;
  fill(who);
  const token = h('textarea', { id: 'token', rows: 5, spellcheck: 'false', placeholder: 'eyJhbGciOiJIUzI1NiJ9…', 'aria-label': 'token' });
  const problem = h('div', { id: 'sign-in-problem' }, message ? h('div', { class: 'error' }, message) : null);
  const submit = async (event) => {
    event.preventDefault();
    fill(problem);
    try {
      state.user = await post('session', { token: token.value });
      await start();
    } catch (error) {
      fill(problem, errorBox(error, 'Not signed in'));
    }
  };
  screen(
    h(
      'form',
      { class: 'card sign-in', onsubmit: submit },
      h('h1', {}, 'Sign in to the console'),
      h('p', {}, 'The console is for each department’s open-data liaison: see what your department serves and what fails, draft a mapping from a live system, preview your data as each role sees it, read its quality profile and the privacy matrix, and record your review.'),
      h('label', { for: 'token' }, 'Your token (from the city’s identity provider)'),
      token,
      h('p', { class: 'muted small' }, 'For the demo, ', h('code', {}, 'npm start'), ' prints a token per role; or run ', h('code', {}, 'civicgraph token --role liaison --department "311 Customer Service"'), '. The token is kept in a cookie only this console reads.'),
      problem,
      h('button', { type: 'submit', class: 'primary', id: 'sign-in' }, 'Sign in'),
    ),
  );
  token.focus();
}

async function signOut() {
  await api('session', { method: 'DELETE' });
  state.user = undefined;
  signIn();
}

// ------------------------------------------------------------------ start and navigation

async function start() {
  try {
    state.user = await api('whoami');
  } catch (error) {
    signIn(error.status === 403 || error.status === 401 ? (error.message.includes('not signed in') ? undefined : error.message) : error.message);
    return;
  }
  nav.hidden = false;
  fill(who,
    h('span', {}, h('strong', {}, state.user.subject), ' ', h('span', { class: 'muted' }, state.user.role)),
    h('button', { class: 'link', onclick: signOut, id: 'sign-out' }, 'Sign out'),
  );
  await show('departments');
}

for (const button of nav.querySelectorAll('button[data-view]')) button.addEventListener('click', () => show(button.dataset.view));

async function show(view) {
  state.view = view;
  for (const button of nav.querySelectorAll('button[data-view]')) button.classList.toggle('active', button.dataset.view === view || (view === 'dataset' && button.dataset.view === 'departments'));
  if (view === 'departments') return departments();
  if (view === 'draft') return draftForm();
  if (view === 'privacy') return privacy();
  if (view === 'dataset') return datasetView();
}

// ------------------------------------------------------------------ departments

async function departments() {
  screen(loading('Reading what every department serves…'));
  try {
    state.overview = await api('overview');
  } catch (error) {
    screen(errorBox(error, 'The overview could not be read'));
    return;
  }
  const list = state.overview.departments;
  if (!state.department || !list.some((department) => department.slug === state.department)) state.department = list[0]?.slug;
  const selected = list.find((department) => department.slug === state.department);
  screen(
    h(
      'div',
      { class: 'split' },
      h(
        'aside',
        { class: 'sidebar' },
        h('h2', {}, 'Departments'),
        list.map((department) => {
          const datasets = department.sources.flatMap((source) => source.datasets);
          const failing = datasets.filter((dataset) => dataset.state === 'failing').length + department.failingFiles.length;
          const down = department.sources.filter((source) => source.state === 'down').length;
          return h(
            'button',
            { class: `department-item${department.slug === state.department ? ' active' : ''}`, 'data-department': department.slug, onclick: () => ((state.department = department.slug), departments()) },
            h('span', { class: 'name' }, department.name),
            h('span', { class: 'counts' }, department.mine ? badge('yours', 'mine') : null, `${datasets.length} datasets`, failing ? badge(`${failing} failing`, 'bad') : null, down ? badge(`${down} down`, 'bad') : null),
          );
        }),
      ),
      h('main', { class: 'main' }, selected ? departmentDetail(selected) : h('p', {}, 'No department is configured.')),
    ),
  );
}

function problemList(problems) {
  if (problems.length === 0) return null;
  return h(
    'ul',
    { class: 'problems' },
    problems.map((problem) =>
      h('li', { class: problem.severity }, h('code', { class: 'where' }, `${problem.file}:${problem.line}:${problem.column}`), ' ', badge(problem.severity, problem.severity === 'error' ? 'bad' : 'warn'), ' ', problem.path ? h('code', {}, problem.path) : null, problem.path ? ': ' : '', problem.message),
    ),
  );
}

function departmentDetail(department) {
  return [
    h('div', { class: 'title-row' }, h('h1', {}, department.name), department.mine ? badge('your department', 'mine') : badge('another department: state only', 'muted-badge')),
    department.liaison ? h('p', { class: 'muted' }, `Liaison: ${department.liaison.name} <${department.liaison.email}>`) : null,
    department.failingFiles.map((file) =>
      h(
        'section',
        { class: 'card failing-file' },
        h('div', { class: 'title-row' }, h('h2', {}, h('code', {}, file.file), ' ', badge('does not load', 'bad')), department.mine ? h('button', { class: 'small-button', 'data-action': 'edit', onclick: () => editMapping(file.file) }, 'Edit the mapping') : null),
        h('p', { class: 'muted' }, 'Nothing of this file is served until its errors are fixed.'),
        problemList(file.problems),
      ),
    ),
    department.sources.map((source) => sourceCard(department, source)),
  ];
}

function sourceCard(department, source) {
  const latest = source.reviews[0];
  const reviewNote = h('span', { class: 'review-note' });
  const review = async () => {
    try {
      const recorded = await post('reviews', { file: source.file });
      fill(reviewNote, badge(`reviewed by ${recorded.subject} at ${recorded.at}`, 'good'));
    } catch (error) {
      fill(reviewNote, errorBox(error, 'Not recorded'));
    }
  };
  return h(
    'section',
    { class: 'card source', 'data-source': source.name },
    h(
      'div',
      { class: 'title-row' },
      h('h2', {}, source.name, ' ', h('span', { class: 'muted' }, `${source.system} · ${source.kind}`)),
      source.state === 'up' ? badge('source up', 'good') : badge('source down', 'bad'),
    ),
    h('p', { class: 'muted small' }, 'Mapping file ', h('code', {}, source.file), source.version ? ` · version ${source.version.slice(0, 19)}…` : ''),
    source.error ? h('div', { class: 'error' }, `${source.name}: ${source.error}`) : null,
    h('details', { class: 'work' }, h('summary', {}, 'What the system does, and what the gateway does in memory'), h('ul', {}, source.work.map((line) => h('li', {}, line.trim())))),
    problemList(source.problems),
    h(
      'table',
      { class: 'datasets' },
      h('thead', {}, h('tr', {}, ['Dataset', 'Table', 'Publication', 'Access level', 'State', ''].map((title) => h('th', {}, title)))),
      h(
        'tbody',
        {},
        source.datasets.map((dataset) => [
          h(
            'tr',
            { 'data-dataset': dataset.type },
            h('td', {}, h('strong', {}, dataset.type), h('div', { class: 'muted small' }, dataset.title)),
            h('td', {}, h('code', {}, dataset.table)),
            h('td', {}, badge(dataset.publication, `publication-${dataset.publication}`)),
            h('td', {}, dataset.accessLevel),
            h('td', {}, dataset.state === 'served' ? badge('served', 'good') : badge('failing', 'bad')),
            h(
              'td',
              { class: 'actions' },
              department.mine && dataset.state === 'served'
                ? [
                    h('button', { class: 'small-button', 'data-action': 'preview', onclick: () => openDataset(dataset.type, 'preview') }, 'Preview'),
                    h('button', { class: 'small-button', 'data-action': 'quality', onclick: () => openDataset(dataset.type, 'quality') }, 'Quality'),
                  ]
                : null,
            ),
          ),
          dataset.problems.length > 0 ? h('tr', { class: 'problem-row' }, h('td', { colspan: 6 }, problemList(dataset.problems))) : null,
        ]),
      ),
    ),
    h(
      'div',
      { class: 'reviews' },
      latest
        ? h('span', {}, 'Last review: ', h('strong', {}, latest.subject), ` at ${latest.at} `, latest.current ? badge('of this version', 'good') : badge('the file has changed since', 'warn'))
        : h('span', { class: 'muted' }, 'Not reviewed in the console yet.'),
      ' ',
      department.mine ? h('button', { class: 'small-button', 'data-action': 'review', onclick: review }, 'Record my review of this version') : null,
      department.mine ? h('button', { class: 'small-button', 'data-action': 'edit', onclick: () => editMapping(source.file) }, 'Edit the mapping') : null,
      reviewNote,
    ),
  );
}

function openDataset(type, tab) {
  state.dataset = type;
  state.tab = tab;
  return show('dataset');
}

// ------------------------------------------------------------------ a dataset: preview and quality

async function datasetView() {
  const body = h('div', { id: 'dataset-body' });
  const tabs = ['preview', 'quality'].map((tab) =>
    h('button', { class: `tab${state.tab === tab ? ' active' : ''}`, 'data-tab': tab, onclick: () => ((state.tab = tab), datasetView()) }, tab === 'preview' ? 'Preview as each role' : 'Quality profile'),
  );
  screen(
    h(
      'div',
      { class: 'page' },
      h('button', { class: 'link', onclick: () => show('departments') }, '← Departments'),
      h('div', { class: 'title-row' }, h('h1', {}, state.dataset), h('div', { class: 'tabs' }, tabs)),
      body,
    ),
  );
  fill(body, loading(state.tab === 'preview' ? 'Reading the same rows as each role…' : 'Computing the quality profile in the source…'));
  try {
    if (state.tab === 'preview') fill(body, ...previewView(await api(`datasets/${encodeURIComponent(state.dataset)}/preview`)));
    else fill(body, ...qualityView(await api(`datasets/${encodeURIComponent(state.dataset)}/quality`)));
  } catch (error) {
    fill(body, errorBox(error, state.tab === 'preview' ? 'No preview' : 'No quality profile'));
  }
}

const ROLE_COLOURS = ['#2563eb', '#d97706', '#059669', '#7c3aed', '#db2777'];

function previewView(preview) {
  const roles = preview.roles;
  const summary = h(
    'div',
    { class: 'role-summary' },
    roles.map((role, index) =>
      h(
        'div',
        { class: 'card role-card', 'data-role': role.role },
        h('div', { class: 'role-name' }, h('span', { class: 'swatch', 'data-colour': index }), role.role),
        role.error
          ? h('div', { class: 'error small' }, role.error)
          : [
              h('div', { class: 'big' }, number(role.totalCount), h('span', { class: 'muted small' }, ' rows')),
              h('div', { class: 'small' }, role.withheld ? badge(`${number(role.withheld)} rows withheld`, 'warn') : badge('no rows withheld', 'good')),
              h('div', { class: 'small muted' }, `${role.rows.filter((row) => row === null).length} of the ${role.rows.length} rows below withheld`, role.aligned ? '' : ' · rows not lined up: the role cannot filter on the key as it is'),
            ],
      ),
    ),
  );
  const legend = h('p', { class: 'legend small' }, h('span', { class: 'cell-transformed legend-chip' }, 'transformed'), ' a value the role reads changed (redacted, hundred block, rounded) · ', h('span', { class: 'cell-hidden legend-chip' }, 'hidden'), ' a field the role cannot read · ', h('span', { class: 'cell-withheld legend-chip' }, 'withheld'), ' a row the role does not get');
  const table = h(
    'table',
    { class: 'preview' },
    h('thead', {}, h('tr', {}, h('th', {}, preview.key), h('th', {}, 'role'), preview.columns.filter((column) => column !== preview.key).map((column) => h('th', {}, column)))),
    h(
      'tbody',
      {},
      roles[roles.length - 1].rows.map((_, index) => {
        const keyValue = roles[roles.length - 1].rows[index]?.[preview.key]?.value;
        return roles.map((role, roleIndex) => {
          const row = role.rows[index];
          const first = roleIndex === 0;
          return h(
            'tr',
            { class: `${first ? 'record-start' : ''}`, 'data-role': role.role, 'data-key': shown(keyValue) },
            first ? h('th', { rowspan: roles.length, class: 'record-key' }, shown(keyValue)) : null,
            h('td', { class: 'role-label' }, h('span', { class: 'swatch', 'data-colour': roleIndex }), role.role),
            row === null
              ? h('td', { class: 'cell-withheld', colspan: preview.columns.length - 1 }, role.error ? role.error : 'withheld from this role')
              : preview.columns
                  .filter((column) => column !== preview.key)
                  .map((column) => {
                    const cell = row[column];
                    const text = cell.state === 'hidden' ? 'hidden' : shown(cell.value);
                    return h('td', { class: `cell-${cell.state}`, 'data-column': column, title: text }, text);
                  }),
          );
        });
      }),
    ),
  );
  return [
    h('p', { class: 'muted' }, `${preview.title} — source ${preview.source}, ${preview.department}. The same ${roles[roles.length - 1].rows.length} rows as each role reads them through its own GraphQL schema and rules.`),
    summary,
    maps(preview),
    legend,
    h('div', { class: 'scroll' }, table),
  ];
}

/** Each role's positions of the rows on a blank plane (no tiles), and one row up close, where rounding shows. */
function maps(preview) {
  const roles = preview.roles.filter((role) => role.points.length > 0);
  if (roles.length === 0) return null;
  const all = roles.flatMap((role) => role.points);
  const extent = extentOf(all, 0.004);
  const closeUpOf = preview.roles[preview.roles.length - 1].points[0];
  const plots = roles.map((role) =>
    h('figure', { class: 'map', 'data-role': role.role }, plane(extent, 0.01, role.points.map((point) => ({ point, colour: ROLE_COLOURS[preview.roles.indexOf(role) % ROLE_COLOURS.length] }))), h('figcaption', {}, `${role.role}: ${role.points.length} positions`)),
  );
  const closeUp = closeUpOf
    ? h(
        'figure',
        { class: 'map close-up' },
        plane(
          extentOf([closeUpOf], 0.0015),
          0.001,
          preview.roles.flatMap((role, index) => {
            const row = role.rows[0];
            const point = row && pointOf(row);
            return point ? [{ point, colour: ROLE_COLOURS[index % ROLE_COLOURS.length], label: role.role, radius: 6 }] : [];
          }),
        ),
        h('figcaption', {}, 'The first row up close (grid: 0.001°, about 110 m): a rounded position snaps to the grid'),
      )
    : null;
  return h('div', { class: 'maps' }, plots, closeUp);
}

function pointOf(row) {
  const pair = row['location.latitude'] ? ['location.latitude', 'location.longitude'] : ['latitude', 'longitude'];
  const latitude = row[pair[0]]?.value;
  const longitude = row[pair[1]]?.value;
  return typeof latitude === 'number' && typeof longitude === 'number' ? [latitude, longitude] : undefined;
}

function extentOf(points, pad) {
  const latitudes = points.map((point) => point[0]);
  const longitudes = points.map((point) => point[1]);
  const middle = [(Math.min(...latitudes) + Math.max(...latitudes)) / 2, (Math.min(...longitudes) + Math.max(...longitudes)) / 2];
  const half = Math.max(Math.max(...latitudes) - Math.min(...latitudes), Math.max(...longitudes) - Math.min(...longitudes)) / 2 + pad;
  return { south: middle[0] - half, north: middle[0] + half, west: middle[1] - half, east: middle[1] + half };
}

/** A square plane of latitude and longitude with a grid every `step` degrees and the given dots. */
function plane(extent, step, dots) {
  const size = 240;
  const x = (longitude) => ((longitude - extent.west) / (extent.east - extent.west)) * size;
  const y = (latitude) => size - ((latitude - extent.south) / (extent.north - extent.south)) * size;
  const grid = [];
  for (let at = Math.ceil(extent.west / step) * step; at <= extent.east; at += step) grid.push(s('line', { x1: x(at), x2: x(at), y1: 0, y2: size, class: 'grid' }));
  for (let at = Math.ceil(extent.south / step) * step; at <= extent.north; at += step) grid.push(s('line', { y1: y(at), y2: y(at), x1: 0, x2: size, class: 'grid' }));
  return s(
    'svg',
    { viewBox: `0 0 ${size} ${size}`, width: size, height: size, role: 'img' },
    s('rect', { x: 0, y: 0, width: size, height: size, class: 'plane' }),
    grid,
    dots.map(({ point, colour, label, radius }) => s('circle', { cx: x(point[1]).toFixed(1), cy: y(point[0]).toFixed(1), r: radius ?? 3.5, fill: colour, 'fill-opacity': 0.75, stroke: '#fff', 'stroke-width': 1 }, label ? s('title', {}, `${label}: ${point[0]}, ${point[1]}`) : null)),
  );
}

function qualityView(result) {
  if (result.error) return [errorBox({ message: result.error.message, source: result.error.source }, `No profile of ${result.dataset}`)];
  const profile = result.profile;
  const untranslated = profile.codes.filter((code) => code.untranslatedRows > 0);
  return [
    h('p', { class: 'muted' }, `${profile.title} — source ${profile.source}, as role ${profile.role}, computed at ${profile.computedAt} by the source itself in ${profile.queries.count} queries (the largest returned ${number(profile.queries.largestResult)} rows; no rows were read).`),
    h(
      'div',
      { class: 'role-summary' },
      tile('Rows', number(profile.rows)),
      tile('Untranslated codes', number(untranslated.reduce((sum, code) => sum + code.untranslatedCodes, 0)), untranslated.length ? 'bad' : 'good'),
      tile('Repeated keys', number(profile.key?.duplicateRows ?? 0), profile.key?.duplicateRows ? 'bad' : 'good'),
      tile('Impossible dates', number(profile.dates.reduce((sum, date) => sum + date.future + date.beforeExisted, 0)), profile.dates.some((date) => date.future + date.beforeExisted > 0) ? 'warn' : 'good'),
      tile('Addresses not normalised', number(profile.addresses.reduce((sum, address) => sum + address.notNormalised, 0)), profile.addresses.some((address) => address.notNormalised > 0) ? 'warn' : 'good'),
    ),
    h('section', { class: 'card' }, h('h2', {}, `Records per month${profile.recordsPerMonth.field ? ` (${profile.recordsPerMonth.field})` : ''}`), histogram(profile.recordsPerMonth.months)),
    profile.codes.length > 0
      ? h(
          'section',
          { class: 'card', id: 'codes' },
          h('h2', {}, 'Code values'),
          h('p', { class: 'muted small' }, 'The most frequent codes each coded field holds; red: a code the mapping’s codes: do not translate (the API fails on each such row).'),
          h('div', { class: 'charts' }, profile.codes.map((code) => h('figure', { class: 'bars', 'data-field': code.field }, h('figcaption', {}, code.field), bars(withUntranslated(code))))),
          untranslated.length > 0
            ? h(
                'div',
                { class: 'error', id: 'untranslated' },
                h('strong', {}, 'Codes the mapping does not translate: '),
                untranslated.map((code) => h('div', {}, h('code', {}, code.field), ': ', code.untranslated.map((entry) => h('span', { class: 'code-chip' }, `${entry.code} (${number(entry.rows)} rows)`)))),
              )
            : null,
        )
      : null,
    h(
      'section',
      { class: 'card' },
      h('h2', {}, 'Fields'),
      h(
        'table',
        { class: 'fields' },
        h('thead', {}, h('tr', {}, ['Field', 'Type', 'Read', 'Nulls', '', 'Distinct', 'Min', 'Max'].map((title) => h('th', {}, title)))),
        h(
          'tbody',
          {},
          profile.fields.map((field) =>
            h(
              'tr',
              {},
              h('td', {}, h('code', {}, field.field)),
              h('td', {}, field.type),
              h('td', {}, field.read === 'raw' ? 'raw' : field.read === 'served' ? badge('as served', 'muted-badge') : badge('withheld', 'warn')),
              h('td', { class: 'number' }, percent(field.nullShare)),
              h('td', {}, shareBar(field.nullShare)),
              h('td', { class: 'number' }, number(field.distinct)),
              h('td', { class: 'value' }, shown(field.min)),
              h('td', { class: 'value' }, shown(field.max)),
            ),
          ),
        ),
      ),
    ),
    profile.dates.length > 0 || profile.key || profile.addresses.length > 0
      ? h(
          'section',
          { class: 'card' },
          h('h2', {}, 'Dates, addresses and keys'),
          profile.existedSince ? h('p', { class: 'muted small' }, `The system holds records since ${profile.existedSince.at} (${profile.existedSince.from === 'mapping' ? 'the mapping’s since:' : `the earliest ${profile.existedSince.field}`}).`) : null,
          h(
            'ul',
            { class: 'facts' },
            profile.dates.map((date) => h('li', {}, h('code', {}, date.field), `: ${number(date.future)} in the future, ${number(date.beforeExisted)} before the system existed`)),
            profile.addresses.map((address) =>
              h('li', {}, h('code', {}, address.field), `: ${number(address.notNormalised)} of ${number(address.values)} addresses do not normalise`, address.examples.length ? [' — e.g. ', address.examples.slice(0, 5).map((example) => h('span', { class: 'code-chip' }, `${example.address} (${example.rows})`))] : ''),
            ),
            profile.key
              ? h('li', {}, 'Key ', h('code', {}, profile.key.field), `: ${number(profile.key.nulls)} rows without one, ${number(profile.key.duplicateRows)} rows repeat a key`, profile.key.repeated.length ? [' — ', profile.key.repeated.slice(0, 5).map((entry) => h('span', { class: 'code-chip' }, `${entry.key} ×${entry.rows}`))] : '')
              : null,
          ),
        )
      : null,
    profile.joins.length > 0
      ? h(
          'section',
          { class: 'card' },
          h('h2', {}, 'Joins'),
          h(
            'table',
            { class: 'fields' },
            h('thead', {}, h('tr', {}, ['Join', 'References', 'Find their target', ''].map((title) => h('th', {}, title)))),
            h(
              'tbody',
              {},
              profile.joins.map((join) =>
                h(
                  'tr',
                  {},
                  h('td', {}, h('code', {}, join.join), ` → ${join.target}`, h('div', { class: 'muted small' }, `${join.from} = ${join.to}`)),
                  h('td', { class: 'number' }, number(join.references)),
                  h('td', { class: 'number' }, join.error ? h('span', { class: 'bad-text' }, `${join.error.source}: ${join.error.message}`) : `${number(join.matched)} (${percent(join.matchRate)})`),
                  h('td', {}, join.error ? null : shareBar(join.matchRate, true)),
                ),
              ),
            ),
          ),
        )
      : null,
  ];
}

function tile(title, value, kind) {
  return h('div', { class: `card tile ${kind ?? ''}` }, h('div', { class: 'muted small' }, title), h('div', { class: 'big' }, value));
}

function shareBar(share, good) {
  const bar = h('span', { class: `share-bar${good ? ' good' : ''}` }, h('span', {}));
  bar.firstChild.style.width = `${Math.round((share ?? 0) * 100)}%`;
  return bar;
}

/** Rows per month as columns, with the year marked under its first month. */
function histogram(months) {
  if (months.length === 0) return h('p', { class: 'muted' }, 'No date field to count by.');
  const width = 760;
  const height = 180;
  const bottom = 28;
  const most = Math.max(...months.map((month) => month.rows), 1);
  const step = width / months.length;
  return s(
    'svg',
    { viewBox: `0 0 ${width + 50} ${height + bottom}`, class: 'histogram', role: 'img' },
    s('text', { x: width + 6, y: 12, class: 'axis' }, number(most)),
    s('line', { x1: 0, x2: width, y1: height, y2: height, class: 'axis-line' }),
    months.map((month, index) => {
      const barHeight = (month.rows / most) * (height - 8);
      const [year, number_] = month.month.split('-');
      return s(
        'g',
        {},
        s('rect', { x: (index * step + 1).toFixed(1), y: (height - barHeight).toFixed(1), width: Math.max(1, step - 2).toFixed(1), height: barHeight.toFixed(1), class: 'bar' }, s('title', {}, `${month.month}: ${month.rows} rows`)),
        number_ === '01' || index === 0 ? s('text', { x: (index * step + 1).toFixed(1), y: height + 16, class: 'axis' }, year) : null,
      );
    }),
  );
}

/** The most frequent codes, and after them the untranslated ones too rare to be among them: those are what a liaison must see. */
function withUntranslated(code) {
  const listed = new Set(code.top.map((entry) => String(entry.code)));
  return [...code.top, ...code.untranslated.filter((entry) => !listed.has(String(entry.code)))];
}

/** Horizontal bars of the most frequent codes, labelled with their translation. */
function bars(top) {
  const rowHeight = 20;
  const width = 420;
  const label = 200;
  const most = Math.max(...top.map((entry) => entry.rows), 1);
  return s(
    'svg',
    { viewBox: `0 0 ${width} ${top.length * rowHeight + 4}`, class: 'bar-chart', role: 'img' },
    top.map((entry, index) => {
      const y = index * rowHeight + 2;
      const text = entry.label === null ? `${entry.code}: untranslated` : `${entry.code} → ${entry.label}`;
      return s(
        'g',
        { class: entry.label === null ? 'untranslated' : '' },
        s('text', { x: 0, y: y + 13, class: 'bar-label' }, text.length > 31 ? `${text.slice(0, 30)}…` : text, s('title', {}, text)),
        s('rect', { x: label, y, width: Math.max(1, ((entry.rows / most) * (width - label - 50)).toFixed(1)), height: rowHeight - 6, class: 'bar' }),
        s('text', { x: label + (entry.rows / most) * (width - label - 50) + 4, y: y + 12, class: 'axis' }, number(entry.rows)),
      );
    }),
  );
}

// ------------------------------------------------------------------ drafting a mapping

const KINDS = ['postgres', 'mysql', 'mssql', 'pglite', 'mongodb', 'csv'];

function draftForm() {
  const kind = h('select', { id: 'draft-kind' }, KINDS.map((name) => h('option', { value: name }, name)));
  const variable = h('input', { id: 'draft-variable', placeholder: 'PARKS_DB_URL', autocomplete: 'off', spellcheck: 'false', pattern: '[A-Z_][A-Z0-9_]*' });
  const name = h('input', { id: 'draft-name', placeholder: 'parks-db', autocomplete: 'off', spellcheck: 'false' });
  const tables = h('div', { id: 'draft-tables' });
  const result = h('div', { id: 'draft-result' });
  const request = () => ({ kind: kind.value, variable: variable.value, name: name.value || undefined });

  const listTables = async (event) => {
    event.preventDefault();
    fill(tables, loading('Asking the system for its tables…'));
    fill(result);
    try {
      const listed = await post('drafts/tables', request());
      if (listed.tables.length === 0) {
        fill(tables, h('p', { class: 'muted' }, `Source ${listed.source} lists no tables.`));
        return;
      }
      const boxes = listed.tables.map((table) => h('label', { class: 'check' }, h('input', { type: 'checkbox', value: table, 'data-table': table }), ' ', h('code', {}, table)));
      fill(tables,
        h('h3', {}, `Tables of ${listed.source}`),
        h('div', { class: 'table-choices' }, boxes),
        h('button', { class: 'primary', id: 'draft-run', onclick: () => runDraft(boxes.map((box) => box.querySelector('input')).filter((input) => input.checked).map((input) => input.value)) }, 'Draft the mapping'),
      );
    } catch (error) {
      fill(tables, errorBox(error, 'No tables'));
    }
  };

  const runDraft = async (picked) => {
    fill(result, loading('Describing the tables and matching their columns to the public types…'));
    try {
      const drafted = await post('drafts', { ...request(), tables: picked });
      fill(result, ...draftResult(drafted));
    } catch (error) {
      fill(result, errorBox(error, 'No draft'));
    }
  };

  screen(
    h(
      'div',
      { class: 'page' },
      h('h1', {}, 'Draft a mapping from a live system'),
      h('p', { class: 'muted' }, 'The same drafting as ', h('code', {}, 'civicgraph introspect'), ': every column with its type, matched to the public type the table resembles, every field hidden from the public until you decide, nothing published. The console writes nothing on the server: download the draft and commit it to your mappings.'),
      h(
        'form',
        { class: 'card draft-form', onsubmit: listTables },
        h('label', {}, 'Kind of system', kind),
        h('label', {}, 'Environment variable holding the connection', variable, h('span', { class: 'muted small' }, 'Its NAME, set in the gateway’s environment (e.g. PARKS_DB_URL=mysql://…). Never type a connection or password here.')),
        h('label', {}, 'Name of the source (lowercase)', name),
        h('button', { type: 'submit', class: 'primary', id: 'draft-list' }, 'List its tables'),
      ),
      tables,
      result,
    ),
  );
}

/** Offers `text` as a file the browser saves: the console writes nothing on the server unless the city turned that on. */
function download(file, text) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/yaml' }));
  const link = h('a', { href: url, download: file });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Writes the file into the connectors folder (only where CIVICGRAPH_CONSOLE_EDITS allows it); the gateway reloads it. */
async function save(file, text, version, note) {
  try {
    const saved = await api(`mappings/${encodeURIComponent(file)}`, { method: 'PUT', body: JSON.stringify({ text, version }) });
    fill(note, badge(`saved: the gateway reloads ${saved.file}; its problems show under Departments`, 'good'));
    return saved.version;
  } catch (error) {
    fill(note, errorBox(error, 'Not saved'));
    return version;
  }
}

async function editMapping(file) {
  state.view = 'edit';
  screen(loading(`Reading ${file}…`));
  let mapping;
  try {
    mapping = await api(`mappings/${encodeURIComponent(file)}`);
  } catch (error) {
    screen(errorBox(error, `${file} cannot be opened`));
    return;
  }
  let version = mapping.version;
  const text = h('textarea', { id: 'mapping-text', class: 'editor', spellcheck: 'false', rows: 32 });
  text.value = mapping.text;
  const note = h('span', { id: 'mapping-note' });
  screen(
    h(
      'div',
      { class: 'page' },
      h('button', { class: 'link', onclick: () => show('departments') }, '← Departments'),
      h(
        'div',
        { class: 'title-row' },
        h('h1', {}, h('code', {}, file)),
        h('button', { class: 'primary', id: 'mapping-download', onclick: () => download(file, text.value) }, `Download ${file}`),
        mapping.editable ? h('button', { class: 'primary', id: 'mapping-save', onclick: async () => (version = await save(file, text.value, version, note)) }, 'Save on the server') : null,
      ),
      h('p', { class: 'muted' }, mapping.editable ? 'This gateway lets the console write its connectors folder (CIVICGRAPH_CONSOLE_EDITS): a saved file is reloaded at once, and one that does not load keeps its last good version serving.' : 'Mappings live in version control: edit here, download, and commit the file. (This gateway writes no mapping files from the console.)'),
      note,
      text,
    ),
  );
}

function draftResult(drafted) {
  const note = h('span', { id: 'draft-note' });
  return [
    h(
      'div',
      { class: 'title-row' },
      h('h2', {}, `Draft of ${drafted.source}`),
      h('button', { class: 'primary', id: 'draft-download', onclick: () => download(drafted.file, drafted.text) }, `Download ${drafted.file}`),
      drafted.editable ? h('button', { class: 'primary', id: 'draft-save', onclick: () => save(drafted.file, drafted.text, undefined, note) }, `Save as ${drafted.file} on the server`) : null,
    ),
    note,
    drafted.tables.map((table) =>
      h(
        'section',
        { class: 'card', 'data-draft-table': table.table },
        h('h3', {}, h('code', {}, table.table), ' → ', table.type ? h('strong', {}, table.type) : badge('left out', 'warn')),
        table.leftOut ? h('p', { class: 'muted' }, table.leftOut) : null,
        table.declared ? h('p', { class: 'muted' }, badge('new type, declared in the draft', 'mine'), ` ${table.declared}: rename and describe its fields under types: in the file.`) : null,
        table.warnings.map((warning) => h('div', { class: 'warning' }, warning)),
        table.fields.length > 0
          ? h(
              'table',
              { class: 'fields' },
              h('thead', {}, h('tr', {}, ['Public field', 'Column', 'Type'].map((title) => h('th', {}, title)))),
              h('tbody', {}, table.fields.map((field) => h('tr', {}, h('td', {}, h('code', {}, field.field)), h('td', {}, h('code', {}, field.column), field.guessedKey ? [' ', badge('key guessed', 'warn')] : null), h('td', {}, field.type)))),
            )
          : null,
        table.unmatched.length > 0 ? h('p', { class: 'small' }, 'Columns no public field matched: ', table.unmatched.map((column) => h('span', { class: 'code-chip' }, `${column.column} (${column.type})`))) : null,
      ),
    ),
    h('details', { class: 'card' }, h('summary', {}, `${drafted.file} as it will be downloaded`), h('pre', { class: 'yaml' }, drafted.text)),
  ];
}

// ------------------------------------------------------------------ privacy report

function privacy() {
  screen(
    h(
      'div',
      { class: 'page' },
      h('h1', {}, 'Privacy report'),
      h('p', { class: 'muted' }, 'What each role sees of each field after inheritance, which rows and how small a statistics cell — the same matrix as ', h('code', {}, 'civicgraph privacy-report'), ', with the reviews recorded here in each department’s sign-off.'),
      h('iframe', { src: new URL('console/api/privacy-report', document.baseURI).href, class: 'report', title: 'Privacy report' }),
    ),
  );
}

start();
