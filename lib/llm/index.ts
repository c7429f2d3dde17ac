/**
 * The language-model layer of hepllm: a Mistral/Llama decoder in TensorFlow.js with model files
 * in Hugging Face layout, generation and LoRA adapters in PEFT layout.
 */
export { initBackend } from "./backend";
export { ModelConfig, readConfig, configFromJson, configToJson, validateConfig } from "./config";
export { Decoder, LM, ForwardOptions, LayerWeights, selectPositions, gatherRows } from "./decoder";
export { KVCache } from "./kv-cache";
export { Linear, LoraParams } from "./linear";
export { loadModel, initModel, saveModel, modelTensors, buildDecoder, LoadOptions, TOKENIZER_FILES } from "./model";
export { generate, GenerateOptions, argmax, sampleTopP } from "./generate";
export { SafetensorsFile, Checkpoint, writeSafetensors, toFloat32, Dtype, RawTensor, TensorInfo, TensorToWrite } from "./safetensors";
export { mm, frozenMatMul, bmm } from "./matmul";
export { applyLora, loadAdapter, readLoraConfig, loraScale, LoraAdapter, LoraConfig, LoraTarget, LORA_TARGETS } from "./lora";
export { PRESETS } from "./presets";
