// Fused activations for Conv, Gemm and MatMul: the node attribute `spc_activation` must agree
// with the kernel's declared epilogue; both relu and clip reduce to a clamp to [lo, hi].

import type { Kernel } from '../kernel.js';
import type { Checker } from './define.js';

export interface Clamp { readonly lo: number; readonly hi: number }

export function epilogueClamp(c: Checker, epilogue: Kernel['epilogue']): Clamp {
  const act = c.string('spc_activation', '');
  if (act !== epilogue) c.fail(`spc_activation '${act}' does not match the kernel's epilogue '${epilogue}'`);
  switch (epilogue) {
    case '': return { lo: -Infinity, hi: Infinity };
    case 'relu': return { lo: 0, hi: Infinity };
    case 'clip': {
      const lo = c.float('spc_act_min', -Infinity);
      const hi = c.float('spc_act_max', Infinity);
      if (!(lo <= hi)) c.fail(`spc_act_min ${lo} > spc_act_max ${hi}`);
      return { lo, hi };
    }
  }
}

export const EPILOGUES: readonly Kernel['epilogue'][] = ['', 'relu', 'clip'];
