package catalog

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// VerifyFile checks the bbolt structure of a store file by reading it,
// without mapping it into memory: bbolt trusts the file it maps, so a
// truncated file faults (SIGBUS) and a damaged page trips an assertion
// that panics. It checks the meta pages (magic, version, page size,
// checksum), the file size against the page count the meta page claims,
// and walks every page reachable from the root and the freelist: its
// header, its type, and that every element, key, value and child lies
// inside the page and the file.
//
// Strict demands that both meta pages are intact, as in a file written
// by Store.Backup. A store that crashed in the middle of a commit may
// have one torn meta page, which bbolt recovers from; Open is not strict.
func VerifyFile(path string, strict bool) error {
	if err := verifyFile(path, strict); err != nil {
		return fmt.Errorf("%s is not an intact store file: %w", path, err)
	}
	return nil
}

// verifyFile is VerifyFile without the file's name in the error, for
// callers whose file is a temporary copy the operator never named.
func verifyFile(path string, strict bool) error {
	return walkFile(path, strict, boltMaxTreeDepth)
}

// quickCheckDepth is how deep the quick check of Open (verifyBeforeOpen)
// follows the trees: besides the meta pages and the freelist, only the
// root bucket's page and the root pages of the buckets it holds. It finds
// a truncated file, a file that is not a store and a file whose pages are
// scrambled, in a few page reads whatever the file's size, but not one
// damaged page deep in a bucket.
const quickCheckDepth = 1

// walkFile checks the file at path, following its trees maxDepth levels deep.
func walkFile(path string, strict bool, maxDepth int) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	return walkOpenFile(f, fi, strict, maxDepth)
}

// walkOpenFile is walkFile on a file the caller has open (and may hold the
// lock of); fi is its Stat.
func walkOpenFile(f io.ReaderAt, fi os.FileInfo, strict bool, maxDepth int) error {
	if fi.IsDir() {
		return errors.New("it is a directory")
	}
	v := &fileVerifier{f: f, size: fi.Size(), seen: map[uint64]bool{}, maxDepth: maxDepth}
	return v.run(strict)
}

// The bbolt file layout (go.etcd.io/bbolt/internal/common), in the byte
// order of the machine that wrote it; this code assumes little-endian,
// like every platform the product is built for.
const (
	boltMagic         = 0xED0CDAED
	boltVersion       = 2
	boltPageHeader    = 16 // id u64, flags u16, count u16, overflow u32
	boltElementSize   = 16 // branch: pos u32, ksize u32, pgid u64; leaf: flags u32, pos u32, ksize u32, vsize u32
	boltBucketHeader  = 16 // root pgid u64, sequence u64
	boltMetaSize      = 64 // magic, version, pageSize, flags, root bucket, freelist, pgid, txid, checksum
	boltBranchPage    = 0x01
	boltLeafPage      = 0x02
	boltMetaPage      = 0x04
	boltFreelistPage  = 0x10
	boltBucketLeaf    = 0x01
	boltNoFreelist    = ^uint64(0)
	boltMaxTreeDepth  = 64
	boltMinPageSize   = 512
	boltMaxPageSize   = 1 << 24
	boltMetaProbeSize = 0x1000
)

type boltMeta struct {
	pageSize uint32
	root     uint64
	freelist uint64
	pgid     uint64 // high-water mark: pages in use
	txid     uint64
}

type fileVerifier struct {
	f        io.ReaderAt
	size     int64
	pageSize int64
	hwm      uint64
	seen     map[uint64]bool
	maxDepth int // how deep tree descends: boltMaxTreeDepth walks every page
}

var le = binary.LittleEndian

// readMeta decodes and validates the meta page at off.
func (v *fileVerifier) readMeta(off int64) (boltMeta, error) {
	buf := make([]byte, boltPageHeader+boltMetaSize)
	if _, err := v.f.ReadAt(buf, off); err != nil {
		return boltMeta{}, fmt.Errorf("meta page at byte %d cannot be read: %v", off, err)
	}
	if flags := le.Uint16(buf[8:]); flags != boltMetaPage {
		return boltMeta{}, fmt.Errorf("page at byte %d is not a meta page (flags %#x)", off, flags)
	}
	m := buf[boltPageHeader:]
	if le.Uint32(m[0:]) != boltMagic {
		return boltMeta{}, errors.New("no bbolt signature (not a store file)")
	}
	if ver := le.Uint32(m[4:]); ver != boltVersion {
		return boltMeta{}, fmt.Errorf("bbolt format version %d, want %d", ver, boltVersion)
	}
	h := fnv.New64a()
	h.Write(m[:56])
	if h.Sum64() != le.Uint64(m[56:]) {
		return boltMeta{}, fmt.Errorf("meta page at byte %d fails its checksum", off)
	}
	meta := boltMeta{pageSize: le.Uint32(m[8:]), root: le.Uint64(m[16:]), freelist: le.Uint64(m[32:]),
		pgid: le.Uint64(m[40:]), txid: le.Uint64(m[48:])}
	if ps := meta.pageSize; ps < boltMinPageSize || ps > boltMaxPageSize || ps&(ps-1) != 0 {
		return boltMeta{}, fmt.Errorf("meta page at byte %d names page size %d", off, ps)
	}
	return meta, nil
}

func (v *fileVerifier) run(strict bool) error {
	if v.size == 0 {
		return errors.New("the file is empty (0 bytes)")
	}
	if v.size < boltMetaProbeSize/2 {
		return fmt.Errorf("the file has only %d bytes, less than two meta pages", v.size)
	}
	m0, err0 := v.readMeta(0)
	ps := int64(m0.pageSize)
	if err0 != nil {
		// The second meta page tells the page size when the first cannot.
		for i := 0; i <= 14 && ps == 0; i++ {
			if pos := int64(1024) << i; pos < v.size-boltPageHeader-boltMetaSize {
				if m, err := v.readMeta(pos); err == nil && int64(m.pageSize) == pos {
					ps = pos
				}
			}
		}
		if ps == 0 {
			return fmt.Errorf("neither meta page is intact: %v", err0)
		}
	}
	m1, err1 := v.readMeta(ps)
	if err1 == nil && int64(m1.pageSize) != ps {
		err1 = fmt.Errorf("the meta pages disagree on the page size (%d, %d)", ps, m1.pageSize)
	}
	if strict {
		if err0 != nil {
			return err0
		}
		if err1 != nil {
			return err1
		}
	}
	var meta boltMeta
	switch {
	case err0 == nil && (err1 != nil || m0.txid >= m1.txid):
		meta = m0
	case err1 == nil:
		meta = m1
	default:
		return fmt.Errorf("neither meta page is intact: %v; %v", err0, err1)
	}
	v.pageSize = int64(meta.pageSize)
	v.hwm = meta.pgid
	if v.hwm < 4 {
		return fmt.Errorf("the meta page claims %d pages; a store has at least 4", v.hwm)
	}
	if need := int64(v.hwm) * v.pageSize; need/v.pageSize != int64(v.hwm) || need > v.size {
		return fmt.Errorf("the file has %d bytes but its meta page claims %d pages of %d bytes (%d bytes): it is truncated",
			v.size, v.hwm, v.pageSize, int64(v.hwm)*v.pageSize)
	}
	if meta.freelist != boltNoFreelist {
		if err := v.freelist(meta.freelist); err != nil {
			return err
		}
	}
	return v.tree(meta.root, 0, "root")
}

// page reads page id with its overflow pages and checks its header.
func (v *fileVerifier) page(id uint64, where string) ([]byte, error) {
	if id < 2 || id >= v.hwm {
		return nil, fmt.Errorf("%s: page %d lies outside the %d pages in use", where, id, v.hwm)
	}
	if v.seen[id] {
		return nil, fmt.Errorf("%s: page %d is reached twice", where, id)
	}
	v.seen[id] = true
	head := make([]byte, boltPageHeader)
	if _, err := v.f.ReadAt(head, int64(id)*v.pageSize); err != nil {
		return nil, fmt.Errorf("%s: page %d cannot be read: %v", where, id, err)
	}
	if got := le.Uint64(head); got != id {
		return nil, fmt.Errorf("%s: page %d identifies itself as page %d", where, id, got)
	}
	overflow := uint64(le.Uint32(head[12:]))
	if id+overflow >= v.hwm {
		return nil, fmt.Errorf("%s: page %d runs past the %d pages in use", where, id, v.hwm)
	}
	buf := make([]byte, int64(overflow+1)*v.pageSize)
	if _, err := v.f.ReadAt(buf, int64(id)*v.pageSize); err != nil {
		return nil, fmt.Errorf("%s: page %d cannot be read: %v", where, id, err)
	}
	return buf, nil
}

func (v *fileVerifier) freelist(id uint64) error {
	p, err := v.page(id, "freelist")
	if err != nil {
		return err
	}
	if flags := le.Uint16(p[8:]); flags != boltFreelistPage {
		return fmt.Errorf("freelist: page %d is not a freelist page (flags %#x)", id, flags)
	}
	idx, count := uint64(0), uint64(le.Uint16(p[10:]))
	if count == 0xFFFF {
		if len(p) < boltPageHeader+8 {
			return fmt.Errorf("freelist: page %d is too short", id)
		}
		idx, count = 1, le.Uint64(p[boltPageHeader:])
	}
	if (idx+count)*8 > uint64(len(p)-boltPageHeader) || count > v.hwm {
		return fmt.Errorf("freelist: page %d lists %d pages, more than it holds", id, count)
	}
	for i := idx; i < idx+count; i++ {
		if free := le.Uint64(p[boltPageHeader+8*i:]); free < 2 || free >= v.hwm {
			return fmt.Errorf("freelist: page %d lists page %d outside the %d pages in use", id, free, v.hwm)
		}
	}
	return nil
}

// tree walks the B+tree rooted at page id.
func (v *fileVerifier) tree(id uint64, depth int, where string) error {
	if depth > boltMaxTreeDepth {
		return fmt.Errorf("%s: the tree is nested deeper than %d levels", where, boltMaxTreeDepth)
	}
	p, err := v.page(id, where)
	if err != nil {
		return err
	}
	if depth >= v.maxDepth {
		return nil // the page's header is checked; its elements are not followed
	}
	return v.elements(p, id, depth, where)
}

// elements checks the elements of a branch or leaf page held in p (a page
// read from the file, or a bucket's inline page) and descends.
func (v *fileVerifier) elements(p []byte, id uint64, depth int, where string) error {
	if len(p) < boltPageHeader {
		return fmt.Errorf("%s: page %d is shorter than its header", where, id)
	}
	flags, count := le.Uint16(p[8:]), int(le.Uint16(p[10:]))
	if flags != boltBranchPage && flags != boltLeafPage {
		return fmt.Errorf("%s: page %d is neither a branch nor a leaf (flags %#x)", where, id, flags)
	}
	if boltPageHeader+count*boltElementSize > len(p) {
		return fmt.Errorf("%s: page %d claims %d elements, more than it holds", where, id, count)
	}
	for i := range count {
		off := boltPageHeader + i*boltElementSize
		e := p[off : off+boltElementSize]
		if flags == boltBranchPage {
			pos, ksize, child := int(le.Uint32(e[0:])), int(le.Uint32(e[4:])), le.Uint64(e[8:])
			if off+pos+ksize > len(p) || off+pos+ksize < off {
				return fmt.Errorf("%s: page %d element %d points outside the page", where, id, i)
			}
			if err := v.tree(child, depth+1, where); err != nil {
				return err
			}
			continue
		}
		eflags, pos, ksize, vsize := le.Uint32(e[0:]), int(le.Uint32(e[4:])), int(le.Uint32(e[8:])), int(le.Uint32(e[12:]))
		start, end := off+pos+ksize, off+pos+ksize+vsize
		if end > len(p) || end < start || start < off {
			return fmt.Errorf("%s: page %d element %d points outside the page", where, id, i)
		}
		if eflags&boltBucketLeaf == 0 {
			continue
		}
		name := fmt.Sprintf("bucket %q", p[off+pos:off+pos+ksize])
		val := p[start:end]
		if len(val) < boltBucketHeader {
			return fmt.Errorf("%s: page %d: %s has a short header", where, id, name)
		}
		if root := le.Uint64(val); root != 0 {
			if err := v.tree(root, depth+1, name); err != nil {
				return err
			}
		} else if err := v.elements(val[boltBucketHeader:], 0, depth+1, name+" (inline)"); err != nil {
			return err
		}
	}
	return nil
}
