package dev.cogforge.app.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import dev.cogforge.app.Main;
import dev.cogforge.core.dist.DistributedEnv;
import dev.cogforge.core.io.AppDirs;
import dev.cogforge.core.train.config.RunConfig;

/**
 * One rank of {@code cogforge train --nproc N}: the {@link dev.cogforge.core.dist.Launcher} starts this class in each
 * worker JVM with {@code RANK}/{@code WORLD_SIZE}/{@code MASTER_*} set and the run config's path as the argument; the
 * trainer joins the job from that environment. Exits 0 finished, 130 cancelled,
 * {@link dev.cogforge.core.dist.Launcher#EXIT_PEER_FAILURE} when another rank failed, 1 when this one did.
 */
public final class TrainWorkerMain {
    private TrainWorkerMain() {}

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
            code = TrainCommand.train(RunConfig.load(Path.of(args[0])), out, err, rankZero);
        } catch (Exception e) {
            err.println("error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            code = 1;
        }
        out.flush();
        err.flush();
        System.exit(code);
    }
}
