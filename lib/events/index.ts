/** LHCO events: the Event type, the streaming HDF5 reader and the writer. */
export type { Event } from "./event";
export { LHCO_COLUMNS_PER_PARTICLE, LHCO_MAX_PARTICLES } from "./event";
export type { LHCOFile, LHCOFileInfo } from "./reader";
export { openLHCO, LHCOFormatError, LHCO_PARTICLE_COLUMNS, LHCO_VALUES_PATH, columnName } from "./reader";
export { writeLHCO } from "./writer";
export { readMasterKey } from "./masterkey";
