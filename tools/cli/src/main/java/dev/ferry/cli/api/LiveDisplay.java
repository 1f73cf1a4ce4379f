package dev.ferry.cli.api;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Live progress on a terminal: the block of lines is redrawn in place. Without a terminal (a CI log, a pipe), each
 * line is printed again only when it changed, so a log shows one line per change and never escape codes.
 */
public final class LiveDisplay {
    private final PrintWriter out;
    private final boolean redraw;
    private final int columns;
    private List<String> shown = List.of();

    /** Redrawn lines are cut to {@code columns}: a line the terminal wraps would throw the redraw off. */
    public LiveDisplay(PrintWriter out, boolean redraw, int columns) {
        this.out = out;
        this.redraw = redraw;
        this.columns = Math.max(20, columns);
    }

    public LiveDisplay(PrintWriter out, boolean redraw) {
        this(out, redraw, 120);
    }

    /** For a run of {@code ferry}: redrawn on its terminal unless {@code noTty}, as wide as {@code $COLUMNS}. */
    public static LiveDisplay of(ApiOptions api, boolean noTty) {
        String columns = api.environment().get("COLUMNS");
        int width = columns != null && columns.matches("\\d{1,4}") ? Integer.parseInt(columns) : 120;
        return new LiveDisplay(api.out(), !noTty && api.environment().terminal(), width);
    }

    public void show(List<String> lines) {
        if (lines.equals(shown)) {
            return;
        }
        if (redraw) {
            StringBuilder frame = new StringBuilder();
            if (!shown.isEmpty()) {
                frame.append("\033[").append(shown.size()).append('F'); // to the first line drawn before
            }
            for (String line : lines) {
                frame.append("\033[2K").append(fit(line)).append('\n');
            }
            for (int i = lines.size(); i < shown.size(); i++) {
                frame.append("\033[2K\n");
            }
            out.print(frame);
        } else {
            for (int i = 0; i < lines.size(); i++) {
                if (i >= shown.size() || !shown.get(i).equals(lines.get(i))) {
                    out.println(lines.get(i));
                }
            }
        }
        out.flush();
        shown = new ArrayList<>(lines);
    }

    private String fit(String line) {
        return line.length() < columns ? line : line.substring(0, columns - 2) + "…";
    }

    /** A bar of {@code width} cells: {@code #} succeeded, {@code x} failed, {@code >} in progress, {@code .} waiting. */
    public static String bar(int width, int total, int succeeded, int failed, int inProgress, int other) {
        if (total <= 0) {
            return "[" + " ".repeat(width) + "]";
        }
        int ok = cells(width, total, succeeded);
        int bad = cells(width, total, failed);
        int busy = cells(width, total, inProgress);
        int done = cells(width, total, other);
        int rest = Math.max(0, width - ok - bad - busy - done);
        return "[" + "#".repeat(ok) + "x".repeat(bad) + "-".repeat(done) + ">".repeat(busy) + ".".repeat(rest) + "]";
    }

    private static int cells(int width, int total, int count) {
        return count <= 0 ? 0 : Math.max(1, (int) Math.round((double) count * width / total));
    }
}
