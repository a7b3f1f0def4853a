export const DOMAIN = 1;
