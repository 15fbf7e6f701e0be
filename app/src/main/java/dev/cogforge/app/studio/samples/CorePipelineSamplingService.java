package dev.cogforge.app.studio.samples;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.cogforge.core.data.CancellationToken;

/**
 * Samples through {@code dev.cogforge.core.pipeline.CogVideoXPipeline}, written in parallel with the studio and so
 * reached reflectively against the agreed contract: a static factory taking the model folder, and
 * {@code generate(SampleRequest, SampleListener, CancellationToken)} returning a result with {@code video()}.
 * {@code SampleRequest} and {@code LoraSpec} are records, built by component name. Once merged, this can become
 * direct calls.
 */
public final class CorePipelineSamplingService implements SamplingService {
    static final String PACKAGE = "dev.cogforge.core.pipeline.";

    @Override
    public Path generate(Request r, Progress progress, CancellationToken cancel) throws Exception {
        Class<?> pipelineType = load("CogVideoXPipeline");
        Class<?> requestType = load("SampleRequest");
        Class<?> loraType = load("LoraSpec");
        Object pipeline = open(pipelineType, r.model());
        try {
            Object lora = record(loraType, Map.of("path", r.lora(), "weight", r.loraWeight()));
            Object request = record(requestType, Map.ofEntries(
                    Map.entry("prompt", r.prompt()), Map.entry("negativePrompt", r.negativePrompt()),
                    Map.entry("frames", r.frames()), Map.entry("height", r.height()), Map.entry("width", r.width()),
                    Map.entry("steps", r.steps()), Map.entry("guidanceScale", r.guidanceScale()),
                    Map.entry("dynamicCfg", false), Map.entry("seed", r.seed()), Map.entry("scheduler", "dpm"),
                    Map.entry("loras", List.of(lora)), Map.entry("output", r.output()), Map.entry("fps", r.fps())));
            Method found = null;
            for (Method m : pipelineType.getMethods()) {
                if (m.getName().equals("generate") && m.getParameterCount() == 3 && m.getParameterTypes()[0] == requestType) found = m;
            }
            Method generate = found;
            if (generate == null) throw new IllegalStateException(pipelineType.getName() + " has no generate(SampleRequest, listener, CancellationToken)");
            Object listener = listener(generate.getParameterTypes()[1], progress);
            Object result = unwrap(() -> generate.invoke(pipeline, request, listener, cancel));
            Object video = result.getClass().getMethod("video").invoke(result);
            return (Path) video;
        } finally {
            if (pipeline instanceof AutoCloseable c) c.close();
        }
    }

    private static Class<?> load(String simpleName) {
        try {
            return Class.forName(PACKAGE + simpleName);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("this build has no sampling pipeline (" + PACKAGE + simpleName + " is missing)");
        }
    }

    private static Object open(Class<?> pipelineType, String model) throws Exception {
        for (Method m : pipelineType.getMethods()) {
            if (!Modifier.isStatic(m.getModifiers()) || m.getReturnType() != pipelineType || m.getParameterCount() != 1) continue;
            Class<?> p = m.getParameterTypes()[0];
            if (p == Path.class) return unwrap(() -> m.invoke(null, Path.of(model)));
            if (p == String.class) return unwrap(() -> m.invoke(null, model));
        }
        throw new IllegalStateException(pipelineType.getName() + " has no static factory taking the model folder");
    }

    private static Object record(Class<?> type, Map<String, Object> values) throws Exception {
        RecordComponent[] comps = type.getRecordComponents();
        if (comps == null) throw new IllegalStateException(type.getName() + " is not a record");
        Object[] args = new Object[comps.length];
        Class<?>[] types = new Class<?>[comps.length];
        for (int i = 0; i < comps.length; i++) {
            types[i] = comps[i].getType();
            Object v = values.get(comps[i].getName());
            args[i] = v != null ? convert(v, types[i]) : defaultOf(types[i]);
        }
        Constructor<?> ctor = type.getDeclaredConstructor(types);
        return unwrap(() -> ctor.newInstance(args));
    }

    private static Object convert(Object v, Class<?> t) {
        if (v instanceof Number n) {
            if (t == int.class || t == Integer.class) return n.intValue();
            if (t == long.class || t == Long.class) return n.longValue();
            if (t == double.class || t == Double.class) return n.doubleValue();
            if (t == float.class || t == Float.class) return n.floatValue();
        }
        return v;
    }

    private static Object defaultOf(Class<?> t) {
        if (t == boolean.class) return false;
        if (t == int.class) return 0;
        if (t == long.class) return 0L;
        if (t == double.class) return 0.0;
        if (t == float.class) return 0f;
        return null;
    }

    /** Any listener callback whose first two arguments are numbers is read as (step done, total steps). */
    private static Object listener(Class<?> type, Progress progress) {
        if (!type.isInterface()) return null;
        return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> "SamplingProgress";
                };
            }
            if (args != null && args.length >= 2 && args[0] instanceof Number a && args[1] instanceof Number b) {
                progress.step(a.intValue(), b.intValue());
            }
            if (method.isDefault()) return callDefault(proxy, method, args);
            return defaultOf(method.getReturnType());
        });
    }

    private static Object callDefault(Object proxy, Method method, Object[] args) throws Throwable {
        return java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, args);
    }

    private interface Call {
        Object run() throws Exception;
    }

    private static Object unwrap(Call c) throws Exception {
        try {
            return c.run();
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception ex) throw ex;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
    }
}
