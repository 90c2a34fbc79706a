package dev.simdnet.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;

/**
 * Image-folder data sets, the layout of torchvision's {@code ImageFolder}, Keras and DJL:
 * {@code DIR/train/<class>/*.png} (also .jpg, .jpeg, .gif, .bmp, in sub-folders too), and optionally
 * {@code DIR/val/<class>/} and {@code DIR/test/<class>/} with the same class folders. The class names are the
 * folder names, sorted; a picture's label is its class's place in that order.
 *
 * <p>Every picture is read as grey (its luminance) or as red, green and blue, with transparent pixels as black
 * background, and resized by area averaging to one size, or prepared by MNIST's digit recipe ({@link DigitPreprocessor}). Decoding runs on
 * all cores, once: the result is cached in {@code DIR/.simdnet-cache/} (or the user's cache folder when DIR is
 * read-only) under a key made of every file's path, size and modification time and of the settings, so the next
 * run with the same folder and settings reads it back in well under a second, and any change decodes afresh.
 *
 * <p>Files that are not pictures, or cannot be decoded, are skipped and counted; the first ten are reported with
 * their reason, and the load is refused when more than {@link #MAX_BAD_FRACTION} of the files are bad unless
 * {@link Settings#skipBad()} says to go on without them.
 */
public final class ImageFolder {
    private ImageFolder() {}

    /** The split folders, in the order their pictures are decoded. */
    public static final List<String> SPLITS = List.of("train", "val", "test");
    public static final List<String> EXTENSIONS = List.of("png", "jpg", "jpeg", "gif", "bmp");
    /** The longest side of the automatic input size: larger pictures are shrunk to it. */
    public static final int MAX_AUTO_SIDE = 64;
    /** Bad files beyond this share of all files refuse the load (without {@link Settings#skipBad()}). */
    public static final double MAX_BAD_FRACTION = 0.01;
    /** The largest side accepted for an explicit input size. */
    public static final int MAX_SIDE = 1024;
    static final String CACHE_DIR = ".simdnet-cache";
    private static final int REPORTED_BAD = 10;
    private static final long MAX_FILE_BYTES = 256L << 20;

    /**
     * How pictures become training images.
     *
     * @param rows     image height, or 0 for the median height of the training pictures (see {@link #MAX_AUTO_SIDE})
     * @param cols     image width, or 0 with {@code rows} 0
     * @param channels 1 (grey: colour pictures are read as their luminance), 3 (red, green, blue), or 0 for 1
     *                 when every training picture is stored as grey and 3 otherwise
     * @param digits   prepare each picture by MNIST's digit recipe (28 x 28, centred by mass) instead of resizing it
     * @param skipBad  go on without the bad files however many there are
     */
    public record Settings(int rows, int cols, int channels, boolean digits, boolean skipBad) {
        public static final Settings DEFAULT = new Settings(0, 0, 0, false, false);

        public Settings {
            if (channels != 0 && channels != 1 && channels != 3)
                throw new IllegalArgumentException("channels must be 1 (grey) or 3 (red, green, blue), got " + channels);
            if (digits && channels == 3)
                throw new IllegalArgumentException("the digit recipe makes grey images; drop --channels 3 or the recipe");
            if ((rows == 0) != (cols == 0) || rows < 0 || cols < 0 || rows > MAX_SIDE || cols > MAX_SIDE)
                throw new IllegalArgumentException("input size must be HxW with each side in [1, " + MAX_SIDE + "], got " + rows + "x" + cols);
            if (digits && rows != 0 && (rows != DigitPreprocessor.SIDE || cols != DigitPreprocessor.SIDE))
                throw new IllegalArgumentException("the digit recipe makes " + DigitPreprocessor.SIDE + "x" + DigitPreprocessor.SIDE
                        + " images; drop the input size or give " + DigitPreprocessor.SIDE);
        }

        /** Parses {@code H} or {@code HxW}, e.g. {@code 32} or {@code 32x48}. */
        public static int[] parseSize(String s) {
            String[] p = s.trim().toLowerCase(Locale.ROOT).split("x", -1);
            try {
                if (p.length == 1) return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[0])};
                if (p.length == 2) return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])};
            } catch (NumberFormatException e) {
                // fall through to the message
            }
            throw new IllegalArgumentException("input size must be H or HxW in pixels (e.g. 32 or 32x48), got '" + s + "'");
        }

        /** What decides the decoded pixels, for the cache key (skipping bad files does not change them). */
        String key() {
            return (rows == 0 ? "size=auto" : "size=" + rows + "x" + cols) + " channels=" + (channels == 0 ? "auto" : channels) + (digits ? " preprocess=digits" : " preprocess=none");
        }
    }

    /**
     * A loaded folder.
     *
     * @param classes     the class names, sorted: label i is classes[i]
     * @param train       the pictures of {@code train/}
     * @param validation  those of {@code val/}, or null when there is none
     * @param test        those of {@code test/}, or null when there is none
     * @param files       every file looked at, pictures and not
     * @param skipped     the bad files left out
     * @param fingerprint SHA-256 of the file list (paths, sizes, times) and settings: the cache key
     * @param fromCache   whether the pixels were read back from the cache
     */
    public record Loaded(Path dir, List<String> classes, Dataset train, Dataset validation, Dataset test, int files,
                         int skipped, String fingerprint, boolean fromCache, double seconds) {}

    /** Whether {@code dir} has the image-folder layout: a {@code train/} folder. */
    public static boolean isImageFolder(Path dir) {
        return dir != null && Files.isDirectory(dir.resolve("train"));
    }

    /** Lists, decodes (or reads back from the cache) and checks the folder; {@code notes} gets progress and skipped files. */
    public static Loaded load(Path dir, Settings settings, Consumer<String> notes) {
        long t0 = System.nanoTime();
        Listing listing = Listing.of(dir, notes);
        String fingerprint = listing.fingerprint(settings);
        Contents c = ImageFolderCache.read(dir, fingerprint, notes);
        boolean cached = c != null;
        if (c == null) {
            c = decode(listing, settings, notes);
            ImageFolderCache.write(dir, fingerprint, c, notes);
        }
        c.check(dir, settings, notes);
        notes.accept(c.classes.size() + " classes, from the folder names: " + String.join(", ", c.classes.subList(0, Math.min(20, c.classes.size())))
                + (c.classes.size() > 20 ? ", ..." : ""));
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (cached) notes.accept(String.format(Locale.ROOT, "read %d pictures of %dx%dx%d from the cache in %.2f s", c.pictures(), c.rows, c.cols, c.channels, seconds));
        return new Loaded(dir, c.classes, c.splits[0], c.splits[1], c.splits[2], c.files, c.badCount, fingerprint, cached, seconds);
    }

    /** A split's decoded pictures, the chosen size, and the bad files: what is cached. */
    record Contents(List<String> classes, int rows, int cols, int channels, Dataset[] splits, int files, int badCount, List<String> firstBad) {
        int pictures() {
            int n = 0;
            for (Dataset d : splits) if (d != null) n += d.n();
            return n;
        }

        /** Reports the bad files and refuses too many, or a class left with no picture. */
        void check(Path dir, Settings settings, Consumer<String> notes) {
            if (badCount > 0) {
                notes.accept(String.format(Locale.ROOT, "skipped %d of %d files (%.2f%%)%s:", badCount, files, 100.0 * badCount / files,
                        badCount > firstBad.size() ? ", the first " + firstBad.size() : ""));
                for (String b : firstBad) notes.accept("  " + b);
            }
            if (badCount > MAX_BAD_FRACTION * files && !settings.skipBad())
                throw new DataException(String.format(Locale.ROOT, "%d of the %d files in %s (%.1f%%, over %.0f%%) are not pictures simdnet can read; "
                        + "fix or remove them, or pass --skip-bad to train without them", badCount, files, dir, 100.0 * badCount / files, 100 * MAX_BAD_FRACTION));
            for (int s = 0; s < SPLITS.size(); s++) {
                if (splits[s] == null) continue;
                int[] counts = splits[s].classCounts();
                for (int k = 0; k < counts.length; k++)
                    if (counts[k] == 0)
                        throw new DataException(dir.resolve(SPLITS.get(s)).resolve(classes.get(k)) + " has no picture simdnet can read: fix its files or remove the folder");
            }
        }
    }

    /** One picture file to decode. */
    private record Entry(int split, String rel, Path file, long size, long mtime, int label) {}

    /** The picture files of one class folder, in order, the files there that are not pictures, and a digest of both. */
    private record ClassListing(List<Entry> pictures, List<String> notPictures, byte[] digest) {}

    /** What the folder holds: the class names, the picture files in order, and the files that are not pictures. */
    private record Listing(List<String> classes, List<Entry> pictures, List<String> notPictures, boolean[] hasSplit, byte[] digest) {

        /** Lists every split and class folder, the class folders on all cores (a folder of 70,000 files takes a few hundred ms a core). */
        static Listing of(Path dir, Consumer<String> notes) {
            if (!Files.isDirectory(dir)) throw new DataException(dir + " is not a folder");
            List<String> classes = null;
            List<String> loose = new ArrayList<>();
            boolean[] has = new boolean[SPLITS.size()];
            List<int[]> folders = new ArrayList<>();                      // (split, label) of each class folder
            for (int s = 0; s < SPLITS.size(); s++) {
                Path root = dir.resolve(SPLITS.get(s));
                if (!Files.isDirectory(root)) continue;
                has[s] = true;
                List<String> names = classFolders(root, SPLITS.get(s), loose);
                if (s == 0) {
                    classes = names;
                    if (classes.isEmpty())
                        throw new DataException(root + " has no class folders: put the pictures of each class in a folder of its own, "
                                + root.getFileName() + "/<class>/");
                } else if (!names.equals(classes)) {
                    throw new DataException(differentClasses(root, names, classes));
                }
                for (int k = 0; k < names.size(); k++) folders.add(new int[] {s, k});
            }
            List<String> names = classes;
            ClassListing[] listed = new ClassListing[folders.size()];
            parallel(folders.size(), 1, "listing class folders", notes, i -> {
                int split = folders.get(i)[0], label = folders.get(i)[1];
                listed[i] = listClass(SPLITS.get(split) + "/" + names.get(label) + "/", split,
                        dir.resolve(SPLITS.get(split)).resolve(names.get(label)), label);
            });

            List<Entry> pictures = new ArrayList<>();
            List<String> notPictures = new ArrayList<>(loose);
            MessageDigest sha = sha256();
            for (String l : loose) sha.update(l.getBytes(StandardCharsets.UTF_8));
            for (int s = 0; s < SPLITS.size(); s++) {
                if (!has[s]) continue;
                Path root = dir.resolve(SPLITS.get(s));
                int total = 0;
                for (int i = 0; i < folders.size(); i++) if (folders.get(i)[0] == s) total += listed[i].pictures.size();
                if (total == 0)
                    throw new DataException(root + " holds no pictures (" + String.join(", ", EXTENSIONS) + ") in its class folders");
                for (int i = 0; i < folders.size(); i++) {
                    if (folders.get(i)[0] != s) continue;
                    if (listed[i].pictures.isEmpty())
                        throw new DataException(root.resolve(names.get(folders.get(i)[1])) + " holds no pictures (" + String.join(", ", EXTENSIONS)
                                + "): add some or remove the folder");
                    pictures.addAll(listed[i].pictures);
                    notPictures.addAll(listed[i].notPictures);
                    sha.update(listed[i].digest);
                }
                if (s == 0 && names.size() < 2)
                    throw new DataException(root + " has only one class folder (" + names.getFirst() + "): a classifier needs at least two");
            }
            if (names.size() > 127) throw new DataException(dir + " has " + names.size() + " classes: simdnet trains at most 127");
            return new Listing(names, pictures, notPictures, has, sha.digest());
        }

        private static List<String> classFolders(Path root, String split, List<String> notPictures) {
            List<String> names = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
                for (Path p : ds) {
                    String name = p.getFileName().toString();
                    if (name.startsWith(".")) continue;                         // .DS_Store, editors' files
                    if (Files.isDirectory(p)) names.add(name);
                    else notPictures.add(split + "/" + name + ": not inside a class folder");
                }
            } catch (IOException e) {
                throw new DataException("cannot list " + root + ": " + e, e);
            }
            names.sort(Comparator.naturalOrder());
            return names;
        }

        /** {@code prefix} is the folder's path under DIR, with a slash: {@code train/cat/}. */
        private static ClassListing listClass(String prefix, int split, Path classDir, int label) {
            List<Entry> found = new ArrayList<>();
            List<String> notPictures = new ArrayList<>();
            try {
                Files.walkFileTree(classDir, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
                        return !d.equals(classDir) && d.getFileName().toString().startsWith(".") ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
                        String name = f.getFileName().toString();
                        if (name.startsWith(".")) return FileVisitResult.CONTINUE;
                        String rel = prefix + (classDir.equals(f.getParent()) ? name : classDir.relativize(f).toString().replace('\\', '/'));
                        if (!a.isRegularFile()) notPictures.add(rel + ": not a regular file");
                        else if (!EXTENSIONS.contains(extension(name))) notPictures.add(rel + ": not a picture (." + String.join(", .", EXTENSIONS) + ")");
                        else found.add(new Entry(split, rel, f, a.size(), a.lastModifiedTime().toMillis(), label));
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path f, IOException e) {
                        notPictures.add(prefix + classDir.relativize(f) + ": cannot be read (" + e.getMessage() + ")");
                        return FileVisitResult.CONTINUE;
                    }
                });
            } catch (IOException e) {
                throw new DataException("cannot list " + classDir + ": " + e, e);
            }
            found.sort(Comparator.comparing(Entry::rel));             // the file system's order is no order
            notPictures.sort(Comparator.naturalOrder());
            MessageDigest sha = sha256();
            ByteBuffer numbers = ByteBuffer.allocate(16);
            for (Entry e : found) {
                sha.update(e.rel.getBytes(StandardCharsets.UTF_8));
                sha.update(numbers.clear().putLong(e.size).putLong(e.mtime).array());
            }
            for (String n : notPictures) sha.update(n.getBytes(StandardCharsets.UTF_8));
            return new ClassListing(found, notPictures, sha.digest());
        }

        private static String differentClasses(Path root, List<String> names, List<String> train) {
            List<String> extra = new ArrayList<>(names), missing = new ArrayList<>(train);
            extra.removeAll(train);
            missing.removeAll(names);
            String split = root.getFileName().toString();
            return root + " does not hold the same class folders as train/" + (missing.isEmpty() ? "" : ": it lacks " + String.join(", ", missing))
                    + (extra.isEmpty() ? "" : (missing.isEmpty() ? ": " : "; ") + "train/ lacks " + String.join(", ", extra))
                    + "; train/, val/ and test/ must name the same classes (" + split + "/ is checked against train/)";
        }

        /** The cache key: the format, the settings, and every file's path, size and modification time. */
        String fingerprint(Settings settings) {
            MessageDigest sha = sha256();
            sha.update((ImageFolderCache.FORMAT + "\n" + settings.key() + "\n").getBytes(StandardCharsets.UTF_8));
            sha.update(digest);
            return HexFormat.of().formatHex(sha.digest());
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    /** Decodes every picture on all cores into datasets of one size and channel count. */
    private static Contents decode(Listing listing, Settings settings, Consumer<String> notes) {
        List<Entry> all = listing.pictures;
        int n = all.size();
        int rows = settings.rows(), cols = settings.cols(), channels = settings.digits() ? 1 : settings.channels();
        if (settings.digits()) rows = cols = DigitPreprocessor.SIDE;
        if (rows == 0 || channels == 0) {
            Probe probe = probe(all, notes);
            if (rows == 0) {
                rows = probe.rows;
                cols = probe.cols;
                notes.accept("input size " + rows + "x" + cols + " (the pictures' median" + (Math.max(rows, cols) == MAX_AUTO_SIDE ? ", shrunk to at most "
                        + MAX_AUTO_SIDE : "") + "); --input-size HxW chooses another");
            }
            if (channels == 0) {
                channels = probe.colour ? 3 : 1;
                notes.accept(probe.colour ? "3 channels (red, green, blue): some pictures are in colour; --channels 1 reads them as grey"
                        : "1 channel (grey): every picture is grey");
            }
        }
        int h = rows, w = cols, c = channels, p = rows * cols * channels;
        byte[] pixels = new byte[Math.multiplyExact(n, p)];
        String[] failures = new String[n];
        DigitPreprocessor digits = settings.digits() ? new DigitPreprocessor() : null;
        long decodeStart = System.nanoTime();
        parallel(n, 64, "decoding pictures", notes, i -> {
            Entry e = all.get(i);
            try {
                byte[] image;
                if (digits != null) {
                    DigitPreprocessor.Result r = digits.process(read(e.file, e.rel));
                    if (!r.isDigit()) {
                        failures[i] = e.rel + ": " + r.reason();
                        return;
                    }
                    image = r.digitBytes();
                } else if (c == 1) {
                    Picture picture = read(e.file, e.rel);
                    image = Resize.grey(overBlack(picture.luma(), picture.alpha()), picture.width(), picture.height(), w, h);
                } else {
                    image = colour(e.file, e.rel, w, h);
                }
                System.arraycopy(image, 0, pixels, i * p, p);
            } catch (IOException | RuntimeException ex) {   // a bad file is reported, never the end of the load
                failures[i] = e.rel + ": " + reason(ex);
            }
        });

        double seconds = (System.nanoTime() - decodeStart) / 1e9;
        notes.accept(String.format(Locale.ROOT, "decoded %d pictures in %.2f s (%.0f pictures/s on %d cores)", n, seconds, n / Math.max(seconds, 1e-9),
                Runtime.getRuntime().availableProcessors()));
        List<String> bad = new ArrayList<>(listing.notPictures);
        for (String f : failures) if (f != null) bad.add(f);
        Dataset[] splits = new Dataset[SPLITS.size()];
        for (int s = 0; s < SPLITS.size(); s++) {
            if (!listing.hasSplit[s]) continue;
            int count = 0;
            for (int i = 0; i < n; i++) if (all.get(i).split == s && failures[i] == null) count++;
            byte[] px = new byte[count * p], labels = new byte[count];
            int k = 0;
            for (int i = 0; i < n; i++) {
                if (all.get(i).split != s || failures[i] != null) continue;
                System.arraycopy(pixels, i * p, px, k * p, p);
                labels[k++] = (byte) all.get(i).label;
            }
            splits[s] = new Dataset("folder/" + SPLITS.get(s), count, rows, cols, channels, px, labels, listing.classes.size());
        }
        int files = n + listing.notPictures.size();
        return new Contents(listing.classes, rows, cols, channels, splits, files, bad.size(), List.copyOf(bad.subList(0, Math.min(REPORTED_BAD, bad.size()))));
    }

    /**
     * What the training pictures' headers say: their median size, shrunk (keeping the aspect) to
     * {@link #MAX_AUTO_SIDE}, and whether any is stored in colour (a PNG palette counts as colour).
     */
    private record Probe(int rows, int cols, boolean colour) {}

    private static Probe probe(List<Entry> all, Consumer<String> notes) {
        int train = 0;
        while (train < all.size() && all.get(train).split == 0) train++;
        int[] heights = new int[train], widths = new int[train];
        boolean[] colour = new boolean[train];
        parallel(train, 64, "reading picture headers", notes, i -> {
            Header hd = header(all.get(i).file);
            if (hd != null) {
                widths[i] = hd.width;
                heights[i] = hd.height;
                colour[i] = hd.colour;
            }
        });
        boolean anyColour = false;
        for (boolean b : colour) anyColour |= b;
        int h = median(heights), w = median(widths);
        if (h == 0 || w == 0) return new Probe(DatasetKind.ROWS, DatasetKind.COLS, anyColour);   // nothing readable: checked later
        if (Math.max(h, w) > MAX_AUTO_SIDE) {
            double s = (double) MAX_AUTO_SIDE / Math.max(h, w);
            h = Math.max(1, (int) Math.round(h * s));
            w = Math.max(1, (int) Math.round(w * s));
        }
        return new Probe(h, w, anyColour);
    }

    private static int median(int[] v) {
        int[] known = Arrays.stream(v).filter(x -> x > 0).sorted().toArray();
        return known.length == 0 ? 0 : known[known.length / 2];
    }

    private record Header(int width, int height, boolean colour) {}

    /** Size and colour from the file's header alone, or null when it cannot tell. */
    private static Header header(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(26);
            // PNG: the IHDR chunk's width, height, bit depth and colour type follow the 8-byte signature and 8-byte chunk head.
            if (PngDecoder.isPng(head) && head.length == 26) return new Header(readInt(head, 16), readInt(head, 20), head[25] != 0 && head[25] != 4);
        } catch (IOException e) {
            return null;
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) return null;
            ImageReader r = readers.next();
            try {
                r.setInput(in);
                ImageTypeSpecifier type = r.getRawImageType(0);
                if (type == null && r.getImageTypes(0).hasNext()) type = r.getImageTypes(0).next();
                boolean grey = type != null && type.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY;
                return new Header(r.getWidth(0), r.getHeight(0), !grey);
            } finally {
                r.dispose();
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static int readInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    /**
     * A picture as red, green and blue, resized, side by side per pixel. Grey pictures give three equal channels from
     * their raw samples: ImageIO's getRGB on a grey image would first convert from its linear grey to sRGB.
     */
    private static byte[] colour(Path file, String rel, int w, int h) throws IOException {
        BufferedImage img = DigitPreprocessor.readImage(new ByteArrayInputStream(readBytes(file)), rel);
        int sw = img.getWidth(), sh = img.getHeight();
        int[][] planes = new int[3][];
        if (img.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
            Picture p = DigitPreprocessor.picture(img);
            planes[0] = planes[1] = planes[2] = overBlack(p.luma(), p.alpha());
        } else {
            int[] argb = img.getRGB(0, 0, sw, sh, null, 0, sw);
            for (int k = 0; k < 3; k++) {
                int[] plane = new int[argb.length];
                int shift = 16 - 8 * k;
                for (int i = 0; i < argb.length; i++) plane[i] = ((argb[i] >>> shift & 0xff) * (argb[i] >>> 24) + 127) / 255;
                planes[k] = plane;
            }
        }
        byte[] out = new byte[w * h * 3];
        for (int k = 0; k < 3; k++) {
            byte[] resized = Resize.grey(planes[k], sw, sh, w, h);
            for (int i = 0; i < resized.length; i++) out[i * 3 + k] = resized[i];
        }
        return out;
    }

    /** A PNG through {@link PngDecoder} (ImageIO's overhead is most of the time on small pictures), the rest through ImageIO. */
    private static Picture read(Path file, String rel) throws IOException {
        byte[] bytes = readBytes(file);
        Picture p = PngDecoder.isPng(bytes) ? PngDecoder.decode(bytes, rel) : null;
        return p != null ? p : DigitPreprocessor.picture(DigitPreprocessor.readImage(new ByteArrayInputStream(bytes), rel));
    }

    private static byte[] readBytes(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) throw new DataException(size + " bytes, over the limit of " + (MAX_FILE_BYTES >> 20) + " MB");
        if (size == 0) throw new DataException("an empty file");
        return Files.readAllBytes(file);
    }

    /** The values with transparent pixels turned into black background. */
    private static int[] overBlack(int[] values, int[] alpha) {
        if (alpha == null) return values;
        int[] out = new int[values.length];
        for (int i = 0; i < out.length; i++) out[i] = (values[i] * alpha[i] + 127) / 255;
        return out;
    }

    /** The exception's own message, without the file name it repeats (the report names the file). */
    private static String reason(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.replaceFirst("^\\S+ (is|are) ", "");
    }

    /**
     * Runs {@code work} for 0..n-1 on all cores, {@code chunk} indices at a time, with a progress note every five
     * seconds. The first exception a worker throws stops the others and is rethrown here.
     */
    private static void parallel(int n, int chunk, String what, Consumer<String> notes, IntConsumer work) {
        if (n == 0) return;
        int threads = Math.min(Runtime.getRuntime().availableProcessors(), (n + chunk - 1) / chunk);
        AtomicInteger next = new AtomicInteger(), done = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads, Thread.ofPlatform().daemon().name("simdnet-folder-", 0).factory());
        try {
            for (int t = 0; t < threads; t++)
                pool.execute(() -> {
                    try {
                        for (int from; failure.get() == null && (from = next.getAndAdd(chunk)) < n; ) {
                            int to = Math.min(n, from + chunk);
                            for (int i = from; i < to; i++) work.accept(i);
                            done.addAndGet(to - from);
                        }
                    } catch (RuntimeException | Error e) {
                        failure.compareAndSet(null, e);
                    }
                });
            pool.shutdown();
            while (!pool.awaitTermination(5, TimeUnit.SECONDS))
                notes.accept(String.format(Locale.ROOT, "%s: %d of %d (%.0f%%)", what, done.get(), n, 100.0 * done.get() / n));
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
            throw new DataException("interrupted while " + what);
        }
        switch (failure.get()) {
            case null -> {}
            case RuntimeException e -> throw e;
            case Error e -> throw e;
            default -> throw new IllegalStateException(failure.get());
        }
    }
}
