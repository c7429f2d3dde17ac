/**
 * Named float32 arrays in a safetensors file: how the trainer stores optimiser moments (and how
 * adapters without a PEFT layout store their weights).
 */
import { SafetensorsFile, writeSafetensors, TensorToWrite } from "../llm/io/safetensors";

export interface NamedArray {
  shape: number[];
  data: Float32Array;
}

export function writeTensorFile(file: string, tensors: Map<string, NamedArray>, metadata?: Record<string, string>): void {
  const out: Record<string, TensorToWrite> = {};
  for (const [name, t] of tensors) out[name] = { dtype: "F32", shape: t.shape, data: t.data };
  writeSafetensors(file, out, metadata);
}

export function readTensorFile(file: string): { tensors: Map<string, NamedArray>; metadata: Record<string, string> } {
  const f = new SafetensorsFile(file);
  try {
    const tensors = new Map<string, NamedArray>();
    for (const [name, info] of f.tensors) tensors.set(name, { shape: info.shape, data: f.readFloat32(name) });
    return { tensors, metadata: { ...f.metadata } };
  } finally {
    f.close();
  }
}
