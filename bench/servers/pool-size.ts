/** Every server gets as many database connections as CivicGraph's sources have by default (`pool.max`). */
export const POOL_SIZE = 10;
