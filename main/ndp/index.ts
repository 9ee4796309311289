export { decodeRouterAdvertisement, encodeBootdropAdvertisement, isRouterSolicitation } from './codec';
export { RouterAdvertiser } from './advertiser';
export { openAdvertisementLink, type AdvertisementLink, type LinkOpeners, type LinkWatch } from './link';
