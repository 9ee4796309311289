/**
 * Boot planning: what each served ISO offers (recipes, its own menus, generic fallback), the iPXE menu
 * script, the served-tree layout and the DHCP boot policy. Command lines in SourceSummary hold
 * `<server>` (SERVER_TOKEN) for the HTTP server's `ip:port`; renderIpxeScript fills it in.
 */
export { planSource, type SourcePlan } from './plan';
export { applyMenu, DEFAULT_MENU } from './menu';
export { renderIpxeScript, fillServer, ipxeArgs, ipxeText } from './ipxe-script';
export { layoutServedTree, defaultLoadersDir, REQUIRED_LOADERS, type ServedLayout } from './layout';
export { PxePolicy } from './pxe-policy';
export { parsePcFacts, smbiosRamMiB, describeIpxeDriver, PC_FACTS_QUERY } from './pc-facts';
export { fitOnPc, formatRam, describePc } from './fits';
export { HostFileSource } from './host-file';
export { BOOT_SCRIPT_PATH, httpUrl } from './paths';
export type { BootPolicy, BootDecision, ClientFacts, ClientArch } from './policy';
