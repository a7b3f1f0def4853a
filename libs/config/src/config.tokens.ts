/** Nest injection token for the validated HeraldConfig. */
export const HERALD_CONFIG = Symbol('HERALD_CONFIG');
