import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.io.File;
import javax.imageio.ImageIO;

/** Draws the app icon (a film frame with a cog) so that no binary image needs to live in git. */
public final class IconGenerator {
    public static void main(String[] args) throws Exception {
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        double s = size / 256.0;
        g.setPaint(new GradientPaint(0, 0, new Color(0x3d6fd6), size, size, new Color(0x2f8f4e)));
        g.fill(new RoundRectangle2D.Double(8 * s, 8 * s, 240 * s, 240 * s, 48 * s, 48 * s));
        g.setColor(new Color(255, 255, 255, 230));
        for (int i = 0; i < 6; i++) {
            g.fill(new RoundRectangle2D.Double((30 + i * 36) * s, 24 * s, 20 * s, 16 * s, 4 * s, 4 * s));
            g.fill(new RoundRectangle2D.Double((30 + i * 36) * s, 216 * s, 20 * s, 16 * s, 4 * s, 4 * s));
        }
        double cx = 128 * s, cy = 128 * s;
        Path2D cog = new Path2D.Double();
        int teeth = 10;
        for (int i = 0; i < teeth * 2; i++) {
            double a0 = Math.PI * i / teeth, a1 = Math.PI * (i + 1) / teeth;
            double r = (i % 2 == 0 ? 70 : 56) * s;
            if (i == 0) cog.moveTo(cx + r * Math.cos(a0), cy + r * Math.sin(a0));
            cog.lineTo(cx + r * Math.cos(a0), cy + r * Math.sin(a0));
            cog.lineTo(cx + r * Math.cos(a1), cy + r * Math.sin(a1));
        }
        cog.closePath();
        g.fill(cog);
        g.setColor(new Color(0x2b2d31));
        g.fill(new Ellipse2D.Double(cx - 26 * s, cy - 26 * s, 52 * s, 52 * s));
        g.setColor(Color.WHITE);
        g.setStroke(new BasicStroke((float) (4 * s)));
        Path2D play = new Path2D.Double();
        play.moveTo(cx - 8 * s, cy - 14 * s);
        play.lineTo(cx + 14 * s, cy);
        play.lineTo(cx - 8 * s, cy + 14 * s);
        play.closePath();
        g.fill(play);
        g.dispose();
        ImageIO.write(img, "png", new File(args[0]));
    }
}
