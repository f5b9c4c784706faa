console.log('wmoe: not yet');
