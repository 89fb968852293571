/**
 * One invocation, in the order the Node.js worker runs it: the app's programming model builds the
 * arguments (real `HttpRequest`/`InvocationContext` objects), preInvocation hooks, the handler,
 * postInvocation hooks, then the programming model converts the result and outputs back to RPC data.
 */
import { randomUUID } from 'node:crypto';
import type {
  CoreInvocationContext,
  FunctionCallback,
  LoadedApp,
  LogCategory,
  LogLevel,
  RegisteredFunction,
  RpcInvocationResponse,
  RpcTypedData,
} from './functionsCoreStub';

export type LogSink = (level: LogLevel, message: string) => void;

export interface InvocationInput {
  /** Trigger binding data (the worker's `inputData` entry for the trigger). */
  trigger: RpcTypedData;
  triggerMetadata?: Record<string, RpcTypedData>;
}

export interface InvocationResult {
  invocationId: string;
  ok: boolean;
  error?: unknown;
  response?: RpcInvocationResponse;
  startedAt: number;
}

export class FunctionTimeoutError extends Error {
  override name = 'FunctionTimeoutError';
}

/** Message of anything thrown, also for errors created in another realm (instanceof does not work there). */
export function errorMessage(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const { name, message } = error as { name?: unknown; message: unknown };
    return typeof name === 'string' && name !== 'Error' ? `${name}: ${String(message)}` : String(message);
  }
  return String(error);
}

export function triggerBindingName(fn: RegisteredFunction): string {
  const entry = Object.entries(fn.metadata.bindings).find(([, b]) => /trigger$/i.test(b.type ?? ''));
  if (!entry) throw new Error(`Function "${fn.metadata.name}" has no trigger binding`);
  return entry[0];
}

async function executeHooks(
  app: LoadedApp,
  name: 'preInvocation' | 'postInvocation',
  context: Record<string, unknown>,
) {
  for (const hook of [...app.hooks[name]]) await hook(context);
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number | undefined, label: string): Promise<T> {
  if (timeoutMs === undefined) return promise;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new FunctionTimeoutError(`Timeout value of ${timeoutMs} ms exceeded by function '${label}'`)),
      timeoutMs,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface InvokeOptions {
  log: LogSink;
  timeoutMs?: number;
  invocationId?: string;
}

export async function invoke(
  app: LoadedApp,
  fn: RegisteredFunction,
  input: InvocationInput,
  options: InvokeOptions,
): Promise<InvocationResult> {
  const invocationId = options.invocationId ?? randomUUID();
  const name = fn.metadata.name;
  const startedAt = Date.now();
  const model = app.programmingModel;
  if (!model) return { invocationId, ok: false, error: new Error('No programming model'), startedAt };

  const coreContext: CoreInvocationContext = {
    invocationId,
    request: {
      invocationId,
      functionId: name,
      inputData: [{ name: triggerBindingName(fn), data: input.trigger }],
      triggerMetadata: input.triggerMetadata ?? {},
    },
    metadata: fn.metadata,
    state: undefined,
    log(level: LogLevel, category: LogCategory, message: string) {
      if (category === 'user') options.log(level, `[${name}] ${message}`);
      // Library system messages are diagnostics (e.g. "log after function completed"): keep warnings up.
      else if (level === 'warning' || level === 'error' || level === 'critical')
        options.log(level, `[${name}] ${message}`);
    },
  };

  try {
    const invocationModel = await model.getInvocationModel(coreContext);
    const { context, inputs } = await invocationModel.getArguments();
    const hookData: Record<string, unknown> = {};

    const pre: Record<string, unknown> = {
      hookData,
      appHookData: app.appHookData,
      invocationContext: context,
      functionCallback: fn.callback,
      inputs,
    };
    coreContext.state = 'preInvocationHooks';
    try {
      await executeHooks(app, 'preInvocation', pre);
    } finally {
      coreContext.state = undefined;
    }
    const callback = pre.functionCallback as FunctionCallback;
    const finalInputs = pre.inputs as unknown[];

    const post: Record<string, unknown> = {
      hookData,
      appHookData: app.appHookData,
      invocationContext: context,
      inputs: finalInputs,
      result: null,
      error: null,
    };
    coreContext.state = 'invocation';
    try {
      post.result = await withTimeout(
        invocationModel.invokeFunction(context, finalInputs, callback),
        options.timeoutMs,
        name,
      );
    } catch (error) {
      post.error = error;
    } finally {
      coreContext.state = undefined;
    }
    coreContext.state = 'postInvocationHooks';
    try {
      await executeHooks(app, 'postInvocation', post);
    } finally {
      coreContext.state = undefined;
    }
    if (post.error !== null && post.error !== undefined)
      return { invocationId, ok: false, error: post.error, startedAt };

    const response = await invocationModel.getResponse(context, post.result);
    return { invocationId, ok: true, response, startedAt };
  } catch (error) {
    return { invocationId, ok: false, error, startedAt };
  }
}

/** The value an output binding produced: from `outputData`, or `returnValue` for the `$return` binding. */
export function outputValue(
  response: RpcInvocationResponse | undefined,
  bindingName: string,
): RpcTypedData | undefined {
  if (!response) return undefined;
  if (bindingName === '$return') return response.returnValue ?? undefined;
  return response.outputData?.find((o) => o.name === bindingName)?.data ?? undefined;
}
