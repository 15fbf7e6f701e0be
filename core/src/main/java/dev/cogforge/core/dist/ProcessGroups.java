package dev.cogforge.core.dist;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.function.Consumer;

import dev.cogforge.core.engine.Engine;

import org.bytedeco.javacpp.SizeTPointer;
import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.Backend;
import org.bytedeco.pytorch.GlooDeviceVector;
import org.bytedeco.pytorch.PrefixStore;
import org.bytedeco.pytorch.ProcessGroupGloo;
import org.bytedeco.pytorch.Store;
import org.bytedeco.pytorch.TCPStore;
import org.bytedeco.pytorch.TCPStoreOptions;
import org.bytedeco.pytorch.global.torch_cuda;
import org.bytedeco.pytorch.nccl.ProcessGroupNCCL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Joins the job described by a {@link DistributedEnv}: rendezvous through a TCP store, then a c10d process group. */
public final class ProcessGroups {
    private static final Logger log = LoggerFactory.getLogger(ProcessGroups.class);

    private ProcessGroups() {}

    /** {@link #init(DistributedEnv, CommBackend, DistributedTimeouts)} from the process environment. */
    public static DistributedContext initFromEnvironment(CommBackend backend) {
        return init(DistributedEnv.fromSystemEnv(), backend, DistributedTimeouts.from(System.getenv()));
    }

    public static DistributedContext init(DistributedEnv env, CommBackend backend, DistributedTimeouts timeouts) {
        return init(env, backend, timeouts, ProcessGroups::haltOnPeerLoss);
    }

    /**
     * @param onFatal called from the heartbeat thread when a peer or the store is lost (only without a launcher, which
     *                otherwise does the watching); the default prints the reason and halts with
     *                {@link Launcher#EXIT_PEER_FAILURE}
     */
    public static DistributedContext init(DistributedEnv env, CommBackend backend, DistributedTimeouts timeouts,
                                          Consumer<String> onFatal) {
        Engine.ensureLoaded();
        if (!env.isDistributed()) return DistributedContext.single(timeouts);
        long t0 = System.nanoTime();
        if (backend == CommBackend.NCCL) bindCudaDevice(env);
        TCPStore store = connectStore(env, timeouts);
        Heartbeat heartbeat = null;
        try {
            heartbeat = new Heartbeat(env, timeouts, !env.storeHostedByLauncher(), onFatal);
            Store prefixed = new PrefixStore(StoreKeys.PROCESS_GROUP_PREFIX, store);
            Backend group = backend == CommBackend.NCCL ? nccl(prefixed, env, timeouts) : gloo(prefixed, env, timeouts);
            log.info("joined {} with {} in {} ms", env, backend, (System.nanoTime() - t0) / 1_000_000);
            return new DistributedContext(env, backend, timeouts, store, group, heartbeat);
        } catch (RuntimeException e) {
            if (heartbeat != null) heartbeat.close();
            store.close();
            throw new DistributedException("rank " + env.rank() + " could not form the " + backend + " process group of "
                    + env.worldSize() + " ranks through " + env.masterAddr() + ":" + env.masterPort() + " within "
                    + timeouts.rendezvous().toSeconds() + " s: " + e.getMessage(), true, e);
        }
    }

    private static TCPStore connectStore(DistributedEnv env, DistributedTimeouts timeouts) {
        TCPStoreOptions o = new TCPStoreOptions();
        o.port((short) env.masterPort());
        o.isServer(env.servesStore());
        o.timeout(new Milliseconds(timeouts.rendezvous().toMillis()));
        if (!env.storeHostedByLauncher()) {
            // Every rank checks in before any goes on, so a missing rank shows up here with a clear timeout.
            o.numWorkers(new SizeTPointer(1).put(env.worldSize()));
            o.waitWorkers(true);
        } else {
            o.waitWorkers(false);
        }
        try {
            TCPStore store = new TCPStore(env.masterAddr(), o);
            store.setTimeout(new Milliseconds(timeouts.collective().toMillis()));
            return store;
        } catch (RuntimeException e) {
            throw new DistributedException("rank " + env.rank() + " could not " + (env.servesStore() ? "serve" : "reach")
                    + " the rendezvous store at " + env.masterAddr() + ":" + env.masterPort() + " (waited up to "
                    + timeouts.rendezvous().toSeconds() + " s for " + env.worldSize() + " ranks): " + e.getMessage(), true, e);
        }
    }

    private static Backend gloo(Store store, DistributedEnv env, DistributedTimeouts timeouts) {
        ProcessGroupGloo.Options options = ProcessGroupGloo.Options.create(new Milliseconds(timeouts.collective().toMillis()));
        options.devices(new GlooDeviceVector(glooDevice(env)));
        return new ProcessGroupGloo(store, env.rank(), env.worldSize(), options);
    }

    /**
     * Gloo binds to one local interface. GLOO_SOCKET_IFNAME wins (as in PyTorch); a loopback master means a one-machine
     * job, so loopback is right; otherwise the interface that routes to this host's name, as PyTorch's default does.
     */
    private static org.bytedeco.pytorch.gloo.Device glooDevice(DistributedEnv env) {
        String iface = System.getenv("GLOO_SOCKET_IFNAME");
        if (iface != null && !iface.isBlank()) return ProcessGroupGloo.createDeviceForInterface(iface.split(",")[0].trim());
        if (isLoopback(env.masterAddr())) return ProcessGroupGloo.createDeviceForHostname("127.0.0.1");
        return ProcessGroupGloo.createDefaultDevice();
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * NCCL: one GPU per process, chosen by the local rank, bound before the communicator is created (NCCL ties a
     * communicator to the current device). Not runnable on the CPU build of the presets; written against the
     * 2.10.0-1.5.13 bindings and checked only by compilation.
     */
    private static Backend nccl(Store store, DistributedEnv env, DistributedTimeouts timeouts) {
        try {
            ProcessGroupNCCL.Options options = ProcessGroupNCCL.Options.create();
            options.timeout(new Milliseconds(timeouts.collective().toMillis()));
            return new ProcessGroupNCCL(store, env.rank(), env.worldSize(), options);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new DistributedException("the NCCL backend is not in this libtorch build (" + e.getMessage()
                    + "); run with the CUDA build of CogForge, or choose the gloo backend", false, e);
        }
    }

    private static void bindCudaDevice(DistributedEnv env) {
        int gpus;
        try {
            gpus = Byte.toUnsignedInt(torch_cuda.device_count());
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new DistributedException("NCCL needs CUDA, which this libtorch build lacks (" + e.getMessage() + ")", false, e);
        }
        if (env.localRank() >= gpus) {
            throw new DistributedException("local rank " + env.localRank() + " has no GPU: this machine shows " + gpus
                    + " CUDA device(s); start at most one process per GPU", false, null);
        }
        torch_cuda.set_device((byte) env.localRank());
    }

    private static void haltOnPeerLoss(String reason) {
        System.err.println("cogforge distributed: stopping this rank because " + reason);
        System.err.flush();
        Runtime.getRuntime().halt(Launcher.EXIT_PEER_FAILURE);
    }
}
