// Package plots provides the charts a deep-learning notebook shows: training curves of one
// run, comparisons of several runs, image grids titled with labels and predictions, top-k
// prediction bars beside each image, confusion matrices, convolution kernels and feature maps.
//
// It draws with gonum.org/v1/plot and takes plain Go data: a training history is a
// map[string][]float64 keyed by metric name (loss, accuracy, val_loss, val_accuracy, ...),
// images are flat []float32 or []uint8 buffers with explicit (n, h, w, c) dimensions in
// row-major NHWC order, labels and predictions are []int class indices. It imports nothing
// of dl and nothing of Jupyter.
//
// # The book's figures
//
//	plots.History(history.History)                  // loss and accuracy curves of one run
//	plots.Compare(names, histories)                 // 3.3/3.4/4.x: a panel per metric, a line per run
//	plots.ImageGridUint8(x, n, 28, 28, 1, plots.Labels(y))   // sample images with their labels
//	plots.ImageGrid(x, n, 28, 28, 1, plots.Labels(y), plots.Predictions(p))  // wrong ones in red
//	plots.PredictionGrid(x, n, h, w, 3, probs, 100)  // 4.x display_predictions: image and top-5 bars
//	plots.Image(img, h, w, 1)                       // 3.1 plt.imshow(img, cmap=gray)
//	plots.Kernels(k, 5, 5, 1, 6)                    // convolution kernels, (kh, kw, cin, cout)
//	plots.FeatureMaps(act, h, w, c)                 // one image's activations, a tile per channel
//	plots.ConfusionMatrix(y, p, 10)                 // counts of true against predicted class
//
// Every constructor checks its data and returns a *Figure or a named error (ErrNoData,
// ErrShape, ErrNaN, ErrRange), never a half-drawn chart. A Figure renders itself as PNG at
// twice its logical pixel size (crisp on high-density screens), as SVG, or to a file by
// extension with Save; it implements the display package's MIMEBundler, PNGer and SVGer, so a
// figure that is a notebook cell's last expression, or passed to display.Show, is drawn.
//
// # Sizes
//
// A figure's size is in logical pixels (Size(w, h) option), drawn with one typographic
// point per logical pixel: an 800x300 figure is an SVG of width 800px and height 300px and
// a 1600x600-pixel PNG whose display metadata asks the notebook to show it at 800x300.
//
// # Diverging runs
//
// A history value that is NaN or ±Inf (a loss that diverged) is not an error: the curve
// stops at the last finite value, a cross in the series' colour marks the first non-finite
// epoch along the top edge of the panel, and the panel's title names the series and the
// epoch, e.g. "loss (val_loss NaN from epoch 7)" in History or "loss (adam NaN from epoch 3)"
// in Compare. Finite values after it are drawn again as a separate segment, and a series
// with no finite value at all draws only the cross. The y axis spans the finite values
// only, so a loss that explodes before turning NaN still squeezes the other curves.
//
// # Speed
//
// A 300-epoch History renders to PNG in about 40 ms on one core (BenchmarkHistoryPNG), so a
// live view can redraw it a few times a second; PNGs are written by a small encoder tuned
// for charts (Up filter, fastest zlib level), about twice as fast as image/png.
package plots
