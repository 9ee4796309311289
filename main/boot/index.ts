/**
 * Boot planning: what each served ISO offers (recipes, its own menus, generic fallback), the iPXE menu
 * script, the served-tree layout and the DHCP boot policy. Command lines in SourceSummary hold
 * `<server>` (SERVER_TOKEN) for the HTTP server's `ip:port`; renderIpxeScript fills it in.
 */
export { planSource, type SourcePlan, type SourceInfoLike, type PlanOptions } from './plan';
export { applyMenu, DEFAULT_MENU } from './menu';
export { renderIpxeScript, fillServer, ipxeArgs, ipxeText } from './ipxe-script';
export {
  layoutServedTree,
  defaultLoadersDir,
  REQUIRED_LOADERS,
  type ServedSource,
  type LayoutOptions,
  type ServedLayout,
} from './layout';
export { PxePolicy, type PxePolicyOptions } from './pxe-policy';
export { parsePcFacts, smbiosRamMiB, describeIpxeDriver, usesFirmwareDriver, PC_FACTS_QUERY } from './pc-facts';
export { fitOnPc, formatRam, describePc, firmwareName, type Fit } from './fits';
export { HostFileSource } from './host-file';
export type { ClassicPxelinux } from './classic';
export { SERVER_TOKEN } from './cmdline';
export {
  BOOT_SCRIPT_PATH,
  LOADERS_PATH,
  sourceTreePath,
  rawIsoPath,
  loaderPath,
  httpUrl,
  hostPort,
  encodePath,
  type ServerAddress,
} from './paths';
export { RECIPES, type Recipe } from './recipes';
export { parseSyslinuxConfig, readSyslinuxMenu, type SyslinuxEntry, type SyslinuxMenu } from './syslinux';
export { parseGrubConfig, readGrubMenu, type GrubEntry, type GrubMenu } from './grub';
export type { BootPolicy, BootDecision, ClientFacts, ClientArch } from './policy';
