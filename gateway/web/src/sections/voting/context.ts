// What the voting section's components are shown: the round and district
// chosen, and the reference data they name things with.
import type { District, Proposal, Round, Strategy } from '../../api';

export interface RoundContext {
  round: Round;
  districtId: number;
  districts: District[];
  strategies: Strategy[];
  /** The district's proposals (the ballot's choices); empty until loaded. */
  proposals: Proposal[];
}
