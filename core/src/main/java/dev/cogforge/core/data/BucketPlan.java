package dev.cogforge.core.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every item of a dataset placed in a bucket, or listed as skipped with the reason — clips too short for the smallest
 * frame bucket are reported here, never dropped silently.
 */
public record BucketPlan(Buckets buckets, List<Entry> entries, List<Skip> skipped) {
    public record Entry(int item, Bucket bucket, VideoInfo info) {}

    public record Skip(int item, String media, String reason) {}

    public BucketPlan {
        entries = List.copyOf(entries);
        skipped = List.copyOf(skipped);
    }

    /** Probes every item (metadata only, no full decode). */
    public static BucketPlan of(Dataset dataset, Buckets buckets) {
        List<Entry> entries = new ArrayList<>();
        List<Skip> skipped = new ArrayList<>();
        List<DatasetItem> items = dataset.items();
        for (int i = 0; i < items.size(); i++) {
            DatasetItem item = items.get(i);
            VideoInfo info;
            try {
                info = VideoReader.probe(dataset.mediaFile(item));
            } catch (IOException e) {
                skipped.add(new Skip(i, item.media(), e.getMessage()));
                continue;
            }
            switch (buckets.assign(info)) {
                case Buckets.Assignment.Assigned a -> entries.add(new Entry(i, a.bucket(), info));
                case Buckets.Assignment.Skipped s -> skipped.add(new Skip(i, item.media(), s.reason()));
            }
        }
        return new BucketPlan(buckets, entries, skipped);
    }

    /** Item counts per bucket, smallest bucket first. */
    public Map<Bucket, Integer> counts() {
        Map<Bucket, Integer> out = new TreeMap<>();
        for (Entry e : entries) out.merge(e.bucket(), 1, Integer::sum);
        return Collections.unmodifiableMap(out);
    }

    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(entries.size()).append(" items in ").append(counts().size()).append(" bucket(s) (frames x height x width)");
        sb.append(buckets.crop() ? ", resize + centre crop" : ", resize only").append('\n');
        counts().forEach((b, n) -> sb.append("  ").append(b.key()).append(": ").append(n).append('\n'));
        if (!skipped.isEmpty()) {
            sb.append(skipped.size()).append(" skipped:\n");
            for (Skip s : skipped) sb.append("  ").append(s.media()).append(": ").append(s.reason()).append('\n');
        }
        return sb.toString();
    }
}
