package dev.cogforge.core.train;

import java.nio.file.Path;
import java.util.Locale;

import dev.cogforge.core.dist.CommBackend;
import dev.cogforge.core.dist.DistributedContext;
import dev.cogforge.core.dist.ProcessGroups;
import dev.cogforge.core.train.config.RunConfig;

/**
 * Worker JVM for {@link DataParallelTrainerTest}: joins the job the launcher describes once, then runs the real
 * {@link Trainer} for each run config given as an argument, one after the other, in that job. Prints one line per
 * event the test reads back.
 */
public final class TrainRankWorker {
    public static void main(String[] args) {
        DistributedContext ctx;
        try {
            ctx = ProcessGroups.initFromEnvironment(CommBackend.GLOO);
        } catch (RuntimeException e) {
            System.out.println("failed to join: " + e.getMessage());
            System.exit(1);
            return;
        }
        for (String file : args) {
            TrainingEvent end;
            System.out.println("run: " + Path.of(file).getParent().getFileName());
            try {
                Trainer trainer = Trainer.create(RunConfig.load(Path.of(file)), TrainRankWorker::print);
                trainer.setDistributedContext(ctx);
                end = trainer.run();
            } catch (Exception e) {
                e.printStackTrace(System.out);
                end = new TrainingEvent.Failed(0, e.toString(), e);
            }
            int code = DistributedTraining.exitCode(end);
            if (code != 0) {
                System.out.flush();
                ctx.abandon();
                System.exit(code);
            }
        }
        ctx.close();
        System.out.println("all runs done");
        System.exit(0);
    }

    private static void print(TrainingEvent e) {
        String line = switch (e) {
            case TrainingEvent.Started s -> "started " + s.totalSteps() + " steps, resumed from " + s.resumedFromStep();
            case TrainingEvent.Step s -> String.format(Locale.ROOT, "step %d loss %.6f grad_norm %.6f", s.step(), s.loss(), s.gradNorm());
            case TrainingEvent.Batch b -> "batch " + b.step() + " rank " + b.rank() + ": " + String.join("|", b.samples());
            case TrainingEvent.RankMemory m -> "memory " + m.step() + ": " + m.perRank().stream().map(x -> Long.toString(x.currentBytes())).toList();
            case TrainingEvent.CheckpointSaved c -> "checkpoint: " + c.folder();
            case TrainingEvent.Finished f -> "finished " + f.steps();
            case TrainingEvent.Failed f -> "failed at step " + f.step() + ": " + f.message();
            default -> e.toString();
        };
        System.out.println(line);
        System.out.flush();
    }
}
