// Small SVG charts drawn by hand: a metric over time with its threshold, and a run's steps on a time axis. No library, no CDN.
const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attributes = {}, text) {
  const element = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

function formatNumber(value) {
  if (value === null || value === undefined) return '–';
  const magnitude = Math.abs(value);
  return magnitude !== 0 && (magnitude < 0.001 || magnitude >= 10000) ? value.toExponential(2) : Number(value.toPrecision(3)).toString();
}

function shortTime(date) {
  return date.toISOString().slice(5, 16).replace('T', ' ');
}

/**
 * A line chart of one metric per window: points [{at: Date, value: number|null, breached: bool, status}], an optional threshold
 * drawn as a dashed line, breached windows in red. Returns an <svg> with data-* attributes tests and styles can read.
 */
export function metricChart({ title, points, threshold, width = 560, height = 200 }) {
  const margin = { top: 24, right: 16, bottom: 32, left: 56 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const chart = svg('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': title });
  chart.append(svg('title', {}, title));
  chart.append(svg('text', { x: margin.left, y: 16, class: 'chart-title' }, title));

  const valued = points.filter(p => typeof p.value === 'number' && Number.isFinite(p.value));
  const values = valued.map(p => p.value);
  if (typeof threshold === 'number') values.push(threshold);
  const times = points.map(p => p.at.getTime());
  if (values.length === 0 || times.length === 0) {
    chart.append(svg('text', { x: margin.left, y: margin.top + plotHeight / 2, class: 'chart-empty' }, 'no values'));
    return chart;
  }
  let low = Math.min(0, ...values), high = Math.max(...values);
  if (high === low) high = low + 1;
  high += (high - low) * 0.1;
  const start = Math.min(...times), end = Math.max(...times);
  const x = t => margin.left + (end === start ? plotWidth / 2 : ((t - start) / (end - start)) * plotWidth);
  const y = v => margin.top + plotHeight - ((v - low) / (high - low)) * plotHeight;

  const axes = svg('g', { class: 'axes' });
  axes.append(svg('line', { x1: margin.left, y1: margin.top, x2: margin.left, y2: margin.top + plotHeight }));
  axes.append(svg('line', { x1: margin.left, y1: margin.top + plotHeight, x2: margin.left + plotWidth, y2: margin.top + plotHeight }));
  for (const tick of [low, (low + high) / 2, high])
    axes.append(svg('text', { x: margin.left - 6, y: y(tick) + 4, class: 'tick', 'text-anchor': 'end' }, formatNumber(tick)));
  axes.append(svg('text', { x: margin.left, y: height - 8, class: 'tick' }, shortTime(new Date(start))));
  if (end !== start)
    axes.append(svg('text', { x: margin.left + plotWidth, y: height - 8, class: 'tick', 'text-anchor': 'end' }, shortTime(new Date(end))));
  chart.append(axes);

  if (typeof threshold === 'number') {
    chart.append(svg('line', { class: 'threshold', x1: margin.left, x2: margin.left + plotWidth, y1: y(threshold), y2: y(threshold), 'data-threshold': threshold }));
    chart.append(svg('text', { class: 'threshold-label', x: margin.left + plotWidth, y: y(threshold) - 4, 'text-anchor': 'end' }, `threshold ${formatNumber(threshold)}`));
  }
  if (valued.length > 1)
    chart.append(svg('polyline', { class: 'series', points: valued.map(p => `${x(p.at.getTime())},${y(p.value)}`).join(' ') }));
  for (const point of valued) {
    const dot = svg('circle', {
      class: point.breached ? 'point breached' : 'point', cx: x(point.at.getTime()), cy: y(point.value), r: point.breached ? 5 : 3.5,
      'data-value': point.value, 'data-status': point.status,
    });
    dot.append(svg('title', {}, `${shortTime(point.at)}: ${formatNumber(point.value)} (${point.status})`));
    chart.append(dot);
  }
  return chart;
}

/** A run's steps on a time axis: steps [{state, at: Date, note}], each bar lasting until the next step (the last one until `until`). */
export function timelineChart({ steps, until, width = 720 }) {
  const rowHeight = 22, labelWidth = 170, right = 16;
  const height = steps.length * rowHeight + 28;
  const chart = svg('svg', { class: 'chart timeline-chart', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': 'Run timeline' });
  if (steps.length === 0) return chart;
  const start = steps[0].at.getTime();
  const finish = Math.max(until.getTime(), steps[steps.length - 1].at.getTime() + 1);
  const scale = (width - labelWidth - right) / (finish - start);
  steps.forEach((step, index) => {
    const begin = step.at.getTime();
    const stop = index + 1 < steps.length ? steps[index + 1].at.getTime() : finish;
    const top = index * rowHeight + 4;
    chart.append(svg('text', { x: 4, y: top + 14, class: 'tick' }, step.state));
    const bar = svg('rect', { class: 'step', x: labelWidth + (begin - start) * scale, y: top, height: rowHeight - 6, width: Math.max(2, (stop - begin) * scale) });
    bar.append(svg('title', {}, `${step.state}: ${((stop - begin) / 1000).toFixed(2)} s — ${step.note}`));
    chart.append(bar);
  });
  chart.append(svg('text', { x: labelWidth, y: height - 6, class: 'tick' }, '0 s'));
  chart.append(svg('text', { x: width - right, y: height - 6, class: 'tick', 'text-anchor': 'end' }, `${((finish - start) / 1000).toFixed(2)} s`));
  return chart;
}

export { formatNumber };
