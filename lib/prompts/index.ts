/** Event prompts: the study's text format and its token ids for training and scoring. */
export { DEFAULT_PROMPT, INSTRUCTION_VARIANTS, STUDY_INSTRUCTION, formatPrompt } from "./format";
export type { PromptOptions } from "./format";
export { describePromptFields, WHEN_PRESENT } from "./fields";
export type { EncodedExample } from "./encode";
export { FEATURES_FALLBACK_TOKENS, LABEL_TEXT, encodeExample, encodePromptText, featuresTokenId } from "./encode";
export { promptCorpus, syntheticRecords, trainPromptTokenizer } from "./vocabulary";
