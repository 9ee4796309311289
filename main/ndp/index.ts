export {
  decodeRouterAdvertisement,
  encodeBootdropAdvertisement,
  isRouterSolicitation,
  ICMPV6_ROUTER_ADVERTISEMENT,
  ICMPV6_ROUTER_SOLICITATION,
  type RouterAdvertisement,
} from './codec';
export { RouterAdvertiser, type RouterAdvertiserOptions } from './advertiser';
export { openAdvertisementLink, type AdvertisementLink, type LinkOpeners, type LinkWatch } from './link';
