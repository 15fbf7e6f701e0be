package dev.cogforge.app.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.cogforge.app.Main;
import dev.cogforge.core.dist.DistributedEnv;
import dev.cogforge.core.dist.DistributedTimeouts;
import dev.cogforge.core.dist.Launcher;
import dev.cogforge.core.io.AppDirs;
import dev.cogforge.core.train.TrainingEventCodec;
import dev.cogforge.core.train.config.RunConfig;

/**
 * One rank of {@code cogforge train --nproc N} or of a studio run with several processes: the
 * {@link dev.cogforge.core.dist.Launcher} starts this class in each worker JVM with {@code RANK}/{@code WORLD_SIZE}/
 * {@code MASTER_*} set and the run config's path as the argument; the trainer joins the job from that environment.
 * With {@link TrainingEventCodec#EVENTS_ENV} = 1 it reports {@link TrainingEventCodec} lines instead of a progress
 * bar. Exits 0 finished, 130 cancelled, {@link dev.cogforge.core.dist.Launcher#EXIT_PEER_FAILURE} when another rank
 * failed, 1 when this one did.
 */
public final class TrainWorkerMain {
    /**
     * A file the launching process may write before it stops the job (SIGTERM): {@value #DISCARD} there means
     * "stop without saving a checkpoint"; absent or anything else keeps the default, saving one.
     */
    public static final String STOP_MODE_FILE_ENV = "COGFORGE_STOP_MODE_FILE";
    public static final String DISCARD = "discard";

    private TrainWorkerMain() {}

    /**
     * How {@code cogforge train --nproc} and the studio start {@code n} workers on {@code runFile}: this JVM's class path
     * and options, the timeouts from the environment, and a 60 s SIGTERM → SIGKILL grace so that every rank finishes
     * its step and rank 0 saves a checkpoint after a stop.
     */
    public static Launcher.Config launcherConfig(Path runFile, int n, Map<String, String> env) {
        List<String> jvm = new ArrayList<>(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        if (jvm.stream().noneMatch(a -> a.startsWith("--enable-native-access"))) jvm.add("--enable-native-access=ALL-UNNAMED");
        // a debugger agent listening on a fixed port would make every worker after the first fail to start
        jvm.removeIf(a -> a.startsWith("-agentlib:jdwp") || a.startsWith("-Xrunjdwp"));
        return Launcher.Config.of(n, TrainWorkerMain.class.getName(), List.of(runFile.toString()))
                .withJvmArgs(jvm)
                .withEnv(new HashMap<>(env))
                .withTimeouts(DistributedTimeouts.from(System.getenv()), Duration.ofMinutes(5), Duration.ofSeconds(60));
    }

    public static void main(String[] args) {
        if (System.getProperty(Main.LOG_DIR_PROPERTY) == null) {
            System.setProperty(Main.LOG_DIR_PROPERTY, AppDirs.current().logs().toString());
        }
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        int code;
        try {
            if (args.length != 1) throw new IllegalArgumentException("usage: TrainWorkerMain RUN_CONFIG.json");
            boolean rankZero = DistributedEnv.fromSystemEnv().isRankZero();
            RunConfig config = RunConfig.load(Path.of(args[0]));
            code = "1".equals(System.getenv(TrainingEventCodec.EVENTS_ENV))
                    ? TrainCommand.trainEmittingEvents(config, out, err, rankZero, TrainWorkerMain::saveOnStop)
                    : TrainCommand.train(config, out, err, rankZero);
        } catch (Exception e) {
            err.println("error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            code = 1;
        }
        out.flush();
        err.flush();
        System.exit(code);
    }

    private static boolean saveOnStop() {
        String file = System.getenv(STOP_MODE_FILE_ENV);
        if (file == null || file.isBlank()) return true;
        try {
            return !Files.isRegularFile(Path.of(file)) || !Files.readString(Path.of(file)).strip().equals(DISCARD);
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }
}
