import { InputError } from '../errors.js';
import type { DatasetSplit } from './dataset.js';
import { isDirectory } from './files.js';
import { loadIdxDirectory } from './idx.js';

/** Where Debian's package `dataset-fashion-mnist` installs the four gzipped IDX files. */
export const FASHION_MNIST_DEBIAN_DIR = '/usr/share/datasets/fashion-mnist';

/** Fashion-MNIST class names, by label. */
export const FASHION_MNIST_CLASS_NAMES = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];

/**
 * Fashion-MNIST (Zalando; 60000 train, 10000 test, 10 classes) from IDX files: `dataDir`, or by
 * default Debian's copy in `debianDir` (/usr/share/datasets/fashion-mnist, package
 * dataset-fashion-mnist). Images 28x28 zero-padded to 32x32x1 (pixel bytes), in file order.
 * Node only; nothing is downloaded. InputError with install instructions when no directory
 * is given and Debian's copy is absent.
 */
export function loadFashionMnist(dataDir?: string, debianDir = FASHION_MNIST_DEBIAN_DIR): DatasetSplit {
  if (dataDir === undefined && !isDirectory(debianDir)) {
    throw new InputError(
      `fashion-mnist: no --data-dir given and ${debianDir} does not exist; ` +
        `install Debian's copy (apt-get install dataset-fashion-mnist) or pass --data-dir DIR holding ` +
        `train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz]`,
    );
  }
  return loadIdxDirectory('fashion-mnist', dataDir ?? debianDir, 10, FASHION_MNIST_CLASS_NAMES);
}
