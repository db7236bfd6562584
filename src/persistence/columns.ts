/** Money: yuan to the fen, up to 9 999 999 999 999.99 (DECIMAL(15,2)). */
export const MONEY = { precision: 15, scale: 2 } as const;
