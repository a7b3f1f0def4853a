import { version } from '../../../../package.json';

/** The `user-agent` of every webhook request (API.md "Webhook request"): `Herald/<version>`. */
export const HERALD_USER_AGENT = `Herald/${version}`;
