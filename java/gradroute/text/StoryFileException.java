package gradroute.text;

import java.nio.file.Path;

/** A story file that cannot be read as any supported format; the message names the file and position. */
public final class StoryFileException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public StoryFileException(Path file, String position, String problem, Throwable cause) {
        super(file + (position.isEmpty() ? "" : ":" + position) + ": " + problem, cause);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
