/**
 * The language-model layer of hepllm: a Mistral/Llama decoder in TensorFlow.js with model files
 * in Hugging Face layout, generation and LoRA adapters in PEFT layout.
 */
export { initBackend, backendInfo, deviceLabel } from "./kernels/backend";
export { ModelConfig, readConfig, configFromJson, configToJson, validateConfig } from "./model/config";
export { Decoder, LM, ForwardOptions, LayerWeights, selectPositions, gatherRows } from "./model/decoder";
export { KVCache } from "./model/kv-cache";
export { Linear, LoraParams } from "./model/linear";
export { loadModel, initModel, saveModel, modelTensors, buildDecoder, LoadOptions, TOKENIZER_FILES } from "./model/model";
export { generate, generateAsync, GenerateOptions, argmax, sampleTopP } from "./model/generate";
export { SafetensorsFile, Checkpoint, writeSafetensors, toFloat32, Dtype, RawTensor, TensorInfo, TensorToWrite } from "./io/safetensors";
export { mm, frozenMatMul, bmm } from "./kernels/matmul";
export { applyLora, loadAdapter, readLoraConfig, loraScale, LoraAdapter, LoraConfig, LoraTarget, LORA_TARGETS } from "./adapters/lora";
export { PRESETS } from "./model/presets";
