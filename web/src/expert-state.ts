import { ref } from 'vue';

/** The vote just cast, shown on the assignments page the review page returns to. */
export interface CastVote {
  caseId: string;
  decision: 'approve' | 'reject';
  points: string | null;
  cost: string | null;
  decided: boolean;
  status: string;
  approvedPoints: string | null;
}

export const lastVote = ref<CastVote | null>(null);
