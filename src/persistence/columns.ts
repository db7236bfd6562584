/** Money: yuan to the fen, up to 9 999 999 999 999.99 (DECIMAL(15,2)). */
export const MONEY = { precision: 15, scale: 2 } as const;
/** Points, scores, factors: up to 99 999 999 999 999.9999 (DECIMAL(18,4)). */
export const POINTS = { precision: 18, scale: 4 } as const;
