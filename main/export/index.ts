/** `bootdrop export`: the served menu and tree as dnsmasq + nginx configs for a site's own servers. */
export { exportSite } from './export';
export type { ExportMode, ExportSite } from './site';
export { renderDnsmasqConf } from './dnsmasq-conf';
export { renderNginxConf } from './nginx-conf';
export { renderPrepareScript } from './prepare-script';
export { contiguousRanges, shQuote } from './site';
